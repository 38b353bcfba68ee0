"""Template helpers for the opinion pages (kept here so feedback never loads cms tags)."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultations.i18n import localized

register = template.Library()


@register.filter
def tr(obj, field: str) -> str:
    """The English companion of ``field`` when the page is in English and it is filled."""
    return localized(obj, field)


@register.simple_tag
def campaign_sentence(summary) -> str:
    """ "N opinions, M distinct texts, K campaign groups" (R61), each count with its own plural
    form (one ``blocktranslate`` can pluralise only one of them). ``summary``: a dict or an
    object with ``opinions``, ``distinct_texts`` and ``groups``."""

    def count(name: str) -> int:
        return summary[name] if isinstance(summary, dict) else getattr(summary, name)

    opinions, texts, groups = count("opinions"), count("distinct_texts"), count("groups")
    return _("%(opinions)s, %(texts)s, %(groups)s") % {
        "opinions": ngettext("%(n)s opinion", "%(n)s opinions", opinions) % {"n": opinions},
        "texts": ngettext("%(n)s distinct text", "%(n)s distinct texts", texts) % {"n": texts},
        "groups": ngettext("%(n)s campaign group", "%(n)s campaign groups", groups) % {"n": groups},
    }


@register.filter
def deadline(consultation, mode: str = "") -> str:
    """The one deadline format (consultations.deadline): weekday, time and days left."""
    from consultations.deadline import deadline_text

    return deadline_text(consultation.closes_at, with_days_left=mode != "short")
