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


@register.filter
def deadline(consultation, mode: str = "") -> str:
    """``{{ c|deadline }}``: "2027年1月12日（星期二）24:00 截止，还剩 37 天" (consultations.deadline);
    ``{{ c|deadline:"short" }}`` leaves out the days left."""
    from consultations.deadline import deadline_text

    return deadline_text(consultation.closes_at, with_days_left=mode != "short")


@register.filter
def phone_links(text: str):
    """Contact text with every phone number in it as its own ``tel:`` link, the words beside it."""
    from cms.phones import phone_links_html

    return phone_links_html(text)


@register.filter
def scale_ends(question):
    """(low, high): what 1 and 5 mean on a scale question, in its own words; or None."""
    from feedback.intake.forms import scale_labels

    return scale_labels(question)


@register.filter
def lang_zh(value):
    """The value, with ``lang="zh-Hans"`` around it when it is Chinese on an English page.

    Fields without an English companion fall back to Chinese; a screen reader then reads them
    with a Chinese voice (WCAG 3.1.2). The value is escaped unless it is already safe.
    """
    from django.utils.html import conditional_escape, format_html

    from cms.phones import CJK
    from consultations.i18n import wants_english

    text = conditional_escape(value if value is not None else "")
    if wants_english() and CJK.search(str(text)):
        return format_html('<span lang="zh-Hans">{}</span>', text)
    return text
