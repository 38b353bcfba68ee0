"""System check: a jurisdiction's period floors may raise the national floors, never lower them.

Registered from ``ConsultationsConfig.ready``; ``manage.py check`` (and every server start)
fails with ``consultations.E001`` when ``CONSULTATION_PERIOD_OVERRIDES`` is below a floor (R12).
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.compatibility)
def check_period_overrides(app_configs=None, **kwargs) -> list[Error]:
    from consultations.rules import override_errors

    overrides = getattr(settings, "CONSULTATION_PERIOD_OVERRIDES", None) or {}
    if not isinstance(overrides, dict):
        return [
            Error(
                "CONSULTATION_PERIOD_OVERRIDES must be a dict of kind -> {'days', 'unit'}.",
                id="consultations.E001",
            )
        ]
    return [
        Error(
            problem,
            hint="Remove the override or raise it to at least the national floor.",
            id="consultations.E001",
        )
        for problem in override_errors(overrides)
    ]
