"""The choices of a consultation: kind, stage, status and the stability-assessment values.

Kept apart from the model so that ``rules.py`` (which the model's ``clean()`` uses) can key its
floors by kind without importing the model.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    MAJOR_DECISION = "major_decision", _("major administrative decision")
    HOUSING_EXPROPRIATION = "housing_expropriation", _("housing expropriation compensation plan")
    LAND_PRE_NOTICE = "land_pre_notice", _("land requisition pre-announcement")
    LAND_COMPENSATION = (
        "land_compensation",
        _("land requisition compensation and resettlement plan"),
    )
    DRAFT_RULES = "draft_rules", _("draft rules")
    NORMATIVE_DOCUMENT = "normative_document", _("normative document")
    EIA = "eia", _("environmental impact assessment participation")
    OTHER = "other", _("other consultation")


class Stage(models.TextChoices):
    """Explicit later states; upcoming/open/closed are derived from the clock."""

    CONSULTING = "consulting", _("consulting")
    RESPONSE_PUBLISHED = "response_published", _("response published")
    DECIDED = "decided", _("decided")


class Status(models.TextChoices):
    DRAFT = "draft", _("not published")
    UPCOMING = "upcoming", _("upcoming")
    OPEN = "open", _("open for comments")
    CLOSED = "closed", _("closed, opinions being studied")
    RESPONSE_PUBLISHED = "response_published", _("response published")
    DECIDED = "decided", _("decided")


class StabilityStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    NOT_REQUIRED = "not_required", _("not required")
    WITHHELD = "withheld", _("done, result not disclosed")


class StabilityLevel(models.TextChoices):
    HIGH = "high", _("high risk")
    MEDIUM = "medium", _("medium risk")
    LOW = "low", _("low risk")
