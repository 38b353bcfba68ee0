"""Counting comment periods the way Chinese law counts days (R13).

By analogy with the Civil Code, Art. 201–203: the day the period starts is not counted; a period
of N days ends at 24:00 of the N-th following day; if that last day is a statutory rest day
(法定休假日) the period ends at 24:00 of the first working day after it. In Chinese legal
practice the rest days include weekends as well as public holidays, while make-up working days
(调休) are working days; ``settings.CONSULTATION_LAST_DAY_SKIPS_WEEKENDS = False`` limits the
extension to named public holidays. Working-day periods count N working days after the opening
date, so they always end on a working day.

The calendar is the ``chinesecalendar`` package; administrators correct it with HolidayOverride
rows. For years the package does not know yet, Monday–Friday are working days, no holidays.
Datetimes are stored in UTC and counted in ``settings.CONSULTATION_TIME_ZONE``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings
from django.utils import timezone

from consultations.models.organisation import HolidayOverride

CALENDAR = "calendar"
WORKING = "working"


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    return _zone(settings.CONSULTATION_TIME_ZONE)


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment, local_zone()).date()


def end_of_day(day: date) -> datetime:
    """24:00 local time of ``day`` (that is, 00:00 of the next day), as an aware UTC datetime."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=local_zone()).astimezone(UTC)


class WorkCalendar:
    """Statutory calendar plus overrides, with the overrides for a date range read once."""

    def __init__(self, start: date, end: date):
        self.start, self.end = start, end
        self.overrides = {
            o.date: o for o in HolidayOverride.objects.filter(date__range=(start, end))
        }

    def _override(self, d: date) -> HolidayOverride | None:
        if not self.start <= d <= self.end:
            return HolidayOverride.objects.filter(date=d).first()
        return self.overrides.get(d)

    def is_working_day(self, d: date) -> bool:
        if (o := self._override(d)) is not None:
            return o.is_working_day
        try:
            return chinese_calendar.is_workday(d)
        except NotImplementedError:
            return d.weekday() < 5

    def is_statutory_holiday(self, d: date) -> bool:
        if (o := self._override(d)) is not None:
            return o.is_statutory_holiday
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError:
            return False
        return bool(on_holiday and name)

    def is_rest_day(self, d: date) -> bool:
        """A day on which a period may not end (see the module docstring)."""
        if getattr(settings, "CONSULTATION_LAST_DAY_SKIPS_WEEKENDS", True):
            return not self.is_working_day(d)
        return self.is_statutory_holiday(d)

    def add_calendar_days(self, start: date, days: int) -> date:
        last = start + timedelta(days=days)
        while self.is_rest_day(last):
            last += timedelta(days=1)
        return last

    def add_working_days(self, start: date, days: int) -> date:
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day


def _calendar_for(start: date, days: int) -> WorkCalendar:
    # Generous span: N working days plus the longest holiday runs fit well inside 2N + 30.
    return WorkCalendar(start, start + timedelta(days=2 * days + 30))


def is_working_day(d: date) -> bool:
    return WorkCalendar(d, d).is_working_day(d)


def is_statutory_holiday(d: date) -> bool:
    return WorkCalendar(d, d).is_statutory_holiday(d)


def last_day(opening_date: date, *, days: int, unit: str) -> date:
    """The last counted day of a period opening on ``opening_date`` (not itself counted)."""
    cal = _calendar_for(opening_date, days)
    if unit == WORKING:
        return cal.add_working_days(opening_date, days)
    return cal.add_calendar_days(opening_date, days)


def close_after(opens_at: datetime, *, days: int, unit: str) -> datetime:
    """When a period of ``days`` in ``unit`` that opens at ``opens_at`` ends (aware, UTC)."""
    return end_of_day(last_day(local_date(opens_at), days=days, unit=unit))


def close_display_date(closes_at: datetime) -> date:
    """The local date whose 24:00 is the close (a close at 00:00 shows the previous day)."""
    return local_date(closes_at - timedelta(microseconds=1))


def days_left(closes_at: datetime, now: datetime | None = None) -> int:
    """Whole days until the close: 0 on the last day and after the close."""
    now = now or timezone.now()
    if now >= closes_at:
        return 0
    return max(0, (close_display_date(closes_at) - local_date(now)).days)


def period_days(opens_at: datetime, closes_at: datetime) -> int:
    """Calendar days counted per R13: the opening day is not counted, the closing day is."""
    return (close_display_date(closes_at) - local_date(opens_at)).days
