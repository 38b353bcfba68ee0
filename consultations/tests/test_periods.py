"""R13: how days are counted (start day not counted, 24:00 Beijing time, holidays)."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from consultations.models import HolidayOverride, Kind
from consultations.periods import (
    close_after,
    close_display_date,
    days_left,
    is_statutory_holiday,
    is_working_day,
    period_days,
)
from consultations.rules import earliest_close

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def sh(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=SH)


def test_start_day_not_counted_and_close_is_2400_beijing_time():
    # Opens Monday 2025-03-03; 30 days later is Wednesday 2025-04-02 (a working day).
    closes = earliest_close(kind=Kind.MAJOR_DECISION, opens_at=sh(2025, 3, 3, 10))
    assert closes == sh(2025, 4, 3)
    assert closes.tzinfo == UTC
    assert closes == datetime(2025, 4, 2, 16, 0, tzinfo=UTC)


def test_opening_time_of_day_does_not_change_the_close():
    early = earliest_close(kind=Kind.MAJOR_DECISION, opens_at=sh(2025, 3, 3, 0, 0))
    late = earliest_close(kind=Kind.MAJOR_DECISION, opens_at=sh(2025, 3, 3, 23, 59))
    assert early == late == sh(2025, 4, 3)


def test_last_day_in_2025_national_day_holiday_moves_to_october_9():
    # 2025-09-05 + 30 days = 2025-10-05, inside the 2025-10-01..08 holiday.
    closes = earliest_close(kind=Kind.HOUSING_EXPROPRIATION, opens_at=sh(2025, 9, 5, 9))
    assert closes == sh(2025, 10, 10)
    assert close_display_date(closes) == date(2025, 10, 9)


def test_last_day_on_last_holiday_day_moves_to_next_day():
    # 2025-09-08 + 30 = 2025-10-08, the last day of the holiday.
    closes = earliest_close(kind=Kind.MAJOR_DECISION, opens_at=sh(2025, 9, 8, 9))
    assert close_display_date(closes) == date(2025, 10, 9)


def test_last_day_on_weekend_rest_day_moves_to_monday():
    # 2025-02-06 + 30 = Saturday 2025-03-08: a rest day, so the period ends Monday 03-10.
    closes = earliest_close(kind=Kind.MAJOR_DECISION, opens_at=sh(2025, 2, 6, 9))
    assert close_display_date(closes) == date(2025, 3, 10)


@override_settings(CONSULTATION_LAST_DAY_SKIPS_WEEKENDS=False)
def test_weekend_extension_can_be_limited_to_public_holidays():
    closes = earliest_close(kind=Kind.MAJOR_DECISION, opens_at=sh(2025, 2, 6, 9))
    assert close_display_date(closes) == date(2025, 3, 8)
    holiday = earliest_close(kind=Kind.MAJOR_DECISION, opens_at=sh(2025, 9, 5, 9))
    assert close_display_date(holiday) == date(2025, 10, 9)


def test_last_day_on_make_up_working_day_is_not_moved():
    # 2025-08-29 + 30 = Sunday 2025-09-28, a make-up working day (调休).
    closes = earliest_close(kind=Kind.MAJOR_DECISION, opens_at=sh(2025, 8, 29, 9))
    assert close_display_date(closes) == date(2025, 9, 28)


def test_working_days_skip_weekends_and_holidays_but_count_make_up_days():
    # Opens Friday 2025-09-26. Counted: 09-28 (make-up), 09-29, 09-30, 10-09, 10-10,
    # 10-11 (make-up), 10-13, 10-14, 10-15, 10-16 = 10 working days.
    closes = earliest_close(kind=Kind.LAND_PRE_NOTICE, opens_at=sh(2025, 9, 26, 15))
    assert close_display_date(closes) == date(2025, 10, 16)
    assert closes == sh(2025, 10, 17)


def test_working_days_without_holidays_are_monday_to_friday():
    # Opens Monday 2025-06-09; 7 working days: 06-10..06-13, 06-16..06-18.
    closes = earliest_close(kind=Kind.NORMATIVE_DOCUMENT, opens_at=sh(2025, 6, 9, 9))
    assert close_display_date(closes) == date(2025, 6, 18)


def test_normative_document_tied_to_business_needs_30_days():
    closes = earliest_close(
        kind=Kind.NORMATIVE_DOCUMENT, opens_at=sh(2025, 3, 3, 9), affects_businesses=True
    )
    assert close_display_date(closes) == date(2025, 4, 2)


def test_administrator_override_adds_a_holiday_to_working_day_count():
    HolidayOverride.objects.create(
        date=date(2025, 10, 16), is_working_day=False, is_statutory_holiday=True, note="本地假日"
    )
    closes = earliest_close(kind=Kind.LAND_PRE_NOTICE, opens_at=sh(2025, 9, 26, 15))
    assert close_display_date(closes) == date(2025, 10, 17)


def test_administrator_override_makes_a_holiday_a_working_day():
    HolidayOverride.objects.create(date=date(2025, 10, 5), is_working_day=True)
    closes = earliest_close(kind=Kind.MAJOR_DECISION, opens_at=sh(2025, 9, 5, 9))
    assert close_display_date(closes) == date(2025, 10, 5)


def test_calendar_queries_use_the_package_with_overrides_first():
    assert is_statutory_holiday(date(2025, 10, 1))
    assert not is_working_day(date(2025, 10, 1))
    assert is_working_day(date(2025, 9, 28))  # make-up Sunday
    assert not is_statutory_holiday(date(2025, 9, 27))  # ordinary Saturday
    assert not is_working_day(date(2025, 9, 27))
    HolidayOverride.objects.create(date=date(2025, 10, 1), is_working_day=True)
    assert is_working_day(date(2025, 10, 1))
    assert not is_statutory_holiday(date(2025, 10, 1))


def test_years_the_package_does_not_know_fall_back_to_monday_to_friday():
    assert is_working_day(date(2099, 1, 5))  # Monday
    assert not is_working_day(date(2099, 1, 3))  # Saturday
    assert not is_statutory_holiday(date(2099, 1, 1))
    HolidayOverride.objects.create(
        date=date(2099, 1, 1), is_working_day=False, is_statutory_holiday=True
    )
    assert is_statutory_holiday(date(2099, 1, 1))
    assert not is_working_day(date(2099, 1, 1))


def test_display_date_days_left_and_period_days():
    closes = sh(2025, 10, 10)  # 24:00 on 2025-10-09
    assert close_display_date(closes) == date(2025, 10, 9)
    assert days_left(closes, now=sh(2025, 10, 9, 23, 59, 59)) == 0
    assert days_left(closes, now=sh(2025, 10, 8, 0, 0)) == 1
    assert days_left(closes, now=sh(2025, 9, 30, 12)) == 9
    assert days_left(closes, now=sh(2025, 10, 10, 0, 0)) == 0
    assert days_left(closes, now=sh(2025, 11, 1)) == 0
    assert period_days(sh(2025, 9, 5, 9), closes) == 34


def test_close_after_counts_in_the_configured_time_zone():
    # 2025-03-02 20:00 UTC is already 2025-03-03 04:00 in Beijing: the opening day is 03-03.
    opens = datetime(2025, 3, 2, 20, 0, tzinfo=UTC)
    assert close_after(opens, days=30, unit="calendar") == sh(2025, 4, 3)
