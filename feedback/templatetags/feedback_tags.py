"""Template helpers for the opinion pages (kept here so feedback never loads cms tags)."""

from django import template

from consultations.i18n import localized

register = template.Library()


@register.filter
def tr(obj, field: str) -> str:
    """The English companion of ``field`` when the page is in English and it is filled."""
    return localized(obj, field)
