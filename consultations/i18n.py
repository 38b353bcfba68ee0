"""Bilingual content: Chinese fields with optional ``<field>_en`` companions.

See docs/adr/0002-bilingual-content-fields.md for why content is not split into locales.
"""

from django.utils.translation import get_language


def wants_english() -> bool:
    return (get_language() or "").lower().startswith("en")


def localized(obj: object, field: str) -> str:
    """The English companion of ``field`` when the request is in English and it is filled."""
    if wants_english():
        value = getattr(obj, f"{field}_en", "")
        if value:
            return value
    return getattr(obj, field, "")


class BilingualMixin:
    def tr(self, field: str) -> str:
        return localized(self, field)

    @property
    def display_name(self) -> str:
        return localized(self, "name")

    @property
    def display_title(self) -> str:
        return localized(self, "title")
