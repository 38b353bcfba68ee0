"""Fixed vocabularies of the opinion register (see the glossary for the Chinese terms)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("website")
    PHONE = "phone", _("phone")
    LETTER = "letter", _("letter")
    WALK_IN = "walk_in", _("walk-in")
    SYMPOSIUM = "symposium", _("symposium")
    FIELD_VISIT = "field_visit", _("field visit")
    EMAIL = "email", _("e-mail")
    HOTLINE = "hotline_12345", _("12345 hotline")
    HEARING = "hearing", _("hearing")

    @classmethod
    def offline_choices(cls) -> list[tuple[str, str]]:
        # Hearing statements enter through the hearing record (feedback.hearings), not by hand.
        return [(v, label) for v, label in cls.choices if v not in (cls.WEB, cls.HEARING)]


class Stance(models.TextChoices):
    SUPPORT = "support", _("support")
    CONDITIONAL = "conditional", _("support with conditions")
    OPPOSE = "oppose", _("oppose")
    UNSURE = "unsure", _("unsure")


class AffectedStatus(models.TextChoices):
    LIVE = "live", _("I live in the area")
    WORK = "work", _("I work in the area")
    OWN = "own", _("I own property or a business in the area")
    OTHER = "other", _("other / I am interested")


class SubmissionStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    ANALYSING = "analysing", _("being analysed")
    ANSWERED = "answered", _("answered")


class Phase(models.TextChoices):
    """When an opinion was given: during the consultation, or during the decision's
    implementation (issue 16 point 5, 条例 Art. 35). Only consultation-phase opinions enter the
    figures frozen at the decision (response, 稳评, aggregates)."""

    CONSULTATION = "consultation", _("during the consultation")
    IMPLEMENTATION = "implementation", _("during implementation")


class Preference(models.TextChoices):
    PREFER = "prefer", _("my preferred option")
    ACCEPTABLE = "acceptable", _("acceptable")
    NOT_ACCEPTABLE = "not_acceptable", _("not acceptable")
