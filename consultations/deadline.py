"""One way of writing a consultation's deadline, everywhere (issue 15).

Public pages, the opinion form, receipts and the admin listing all say the same thing:
"2027年1月12日（星期二）24:00 截止，还剩 37 天" / "Closes at 24:00 on Tuesday, 12 January 2027,
37 days left". A close at local midnight is the end of the previous day ("24:00"), as the law
counts days (consultations/periods.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext, pgettext

from consultations.periods import days_left as compute_days_left
from consultations.periods import local_zone


def deadline_parts(closes_at: datetime) -> tuple[date, str]:
    """(the local day, "HH:MM") of the close; midnight is 24:00 of the day before."""
    local = timezone.localtime(closes_at, local_zone())
    if local.hour == 0 and local.minute == 0 and local.second == 0:
        return (local - timedelta(days=1)).date(), "24:00"
    return local.date(), local.strftime("%H:%M")


def days_left_text(days: int) -> str:
    if days <= 0:
        return gettext("today is the last day")
    return ngettext("%(days)s day left", "%(days)s days left", days) % {"days": days}


def deadline_text(
    closes_at: datetime | None, *, now: datetime | None = None, with_days_left: bool = True
) -> str:
    """The deadline in the active language; "" without a closing time."""
    if closes_at is None:
        return ""
    now = now or timezone.now()
    day, clock = deadline_parts(closes_at)
    values = {
        "date": date_format(day, pgettext("deadline date", "j F Y")),
        "weekday": date_format(day, "l"),
        "time": clock,
    }
    if now >= closes_at:
        return gettext("Closed at %(time)s on %(weekday)s, %(date)s") % values
    text = gettext("Closes at %(time)s on %(weekday)s, %(date)s") % values
    if not with_days_left:
        return text
    left = days_left_text(compute_days_left(closes_at, now=now))
    return gettext("%(deadline)s, %(left)s") % {"deadline": text, "left": left}
