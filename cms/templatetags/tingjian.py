"""Template helpers of the public site."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from cms import urls_helpers
from consultations.i18n import localized

register = template.Library()


@register.simple_tag(takes_context=True)
def consultation_url(context, consultation) -> str:
    """``{% consultation_url c %}``: the detail URL; the index page is found once per request."""
    return urls_helpers.consultation_url(consultation, request=context.get("request"))


@register.filter
def tr(obj, field: str) -> str:
    """``{{ obj|tr:"title" }}``: the English companion when English is active and filled."""
    return localized(obj, field)


@register.simple_tag
def html_lang() -> str:
    """BCP 47 tag for <html lang>: Django's ``zh-hans`` becomes ``zh-Hans``."""
    code = (get_language() or "zh-hans").lower()
    return "en" if code.startswith("en") else "zh-Hans"


@register.inclusion_tag("cms/includes/status_badge.html")
def status_badge(status: str, label: str) -> dict:
    return {"status": status, "label": label}


@register.filter
def close_date(consultation):
    """The last day on which opinions are accepted (the period ends at 24:00 that day)."""
    from consultations.periods import close_display_date

    return close_display_date(consultation.closes_at) if consultation.closes_at else None


@register.filter
def days_left(consultation):
    from consultations.periods import days_left as compute_days_left

    return compute_days_left(consultation.closes_at) if consultation.closes_at else None


@register.simple_tag
def fallback_lang(obj, field: str) -> str:
    """``lang="zh-Hans"`` when English is shown but this field has no English text.

    Screen readers then read the Chinese fallback with a Chinese voice (WCAG 3.1.2).
    """
    from django.utils.html import format_html

    from consultations.i18n import wants_english

    if wants_english() and getattr(obj, field, "") and not getattr(obj, f"{field}_en", ""):
        return format_html(' lang="{}"', "zh-Hans")
    return ""
