"""System checks of contact retention (every ``manage.py check``): the settings that the privacy
notice states must be sane, and the daily purge time must parse."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import checks

from feedback.privacy.retention import MAX_DAYS_AFTER_CLOSE, RETENTION_DAYS

_TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")


@checks.register("retention")
def check_retention_settings(app_configs=None, **kwargs):
    problems = []
    days = getattr(settings, "CONTACT_RETENTION_DAYS", RETENTION_DAYS)
    if not isinstance(days, int) or not 1 <= days <= RETENTION_DAYS:
        problems.append(
            checks.Error(
                f"CONTACT_RETENTION_DAYS must be a whole number from 1 to {RETENTION_DAYS}: "
                f"residents are promised that their contact is deleted {RETENTION_DAYS} days "
                "after the response at the latest.",
                id="feedback.E311",
            )
        )
    after_close = getattr(settings, "CONTACT_MAX_DAYS_AFTER_CLOSE", MAX_DAYS_AFTER_CLOSE)
    if not isinstance(after_close, int) or after_close < 1:
        problems.append(
            checks.Error(
                "CONTACT_MAX_DAYS_AFTER_CLOSE must be a whole number of days, at least 1.",
                id="feedback.E312",
            )
        )
    elif after_close > MAX_DAYS_AFTER_CLOSE:
        problems.append(
            checks.Warning(
                f"CONTACT_MAX_DAYS_AFTER_CLOSE is {after_close}, longer than the "
                f"{MAX_DAYS_AFTER_CLOSE} days the privacy notice states.",
                hint="Change the privacy notice too, or keep the setting at 180 or less.",
                id="feedback.W313",
            )
        )
    if not _TIME.match(str(getattr(settings, "CONTACT_PURGE_AT", "03:15"))):
        problems.append(
            checks.Error(
                "CONTACT_PURGE_AT must be a local time as HH:MM, e.g. 03:15.", id="feedback.E314"
            )
        )
    return problems
