"""What the 稳评 assessor records. The software never computes a level; a person records it.

Nothing here scores a person or an opinion: the only inputs the assessor sees are aggregates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    HIGH = "high", _("high risk")
    MEDIUM = "medium", _("medium risk")
    LOW = "low", _("low risk")


class RiskAssessment(models.Model):
    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="risk_assessment",
    )
    level = models.CharField(
        _("risk level set by the assessor"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    reasons = models.TextField(_("reasons for the level"), blank=True)
    reasons_en = models.TextField(_("reasons (English)"), blank=True)
    disclose = models.BooleanField(_("disclose the level and measures in public"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stability risk assessment record")
        verbose_name_plural = _("stability risk assessment records")

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.level or '-'}"


class RiskAssessmentChange(models.Model):
    """One recorded level, with its reasons and measures, and what became of it (issue 13).

    The assessor's record counts (and is disclosed) only once a second person confirms it: a
    second assessor or a site administrator, never its author; they confirm or send it back,
    they never change it. Every row stays, so the history shows who recorded which level when,
    the level before, the reasons and the decision. See docs/adr/0011-two-person-actions.md.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        RETURNED = "returned", _("sent back")
        SUPERSEDED = "superseded", _("replaced by a later record before confirmation")

    assessment = models.ForeignKey(
        RiskAssessment,
        verbose_name=_("assessment"),
        on_delete=models.PROTECT,
        related_name="changes",
    )
    level = models.CharField(_("level"), max_length=10, choices=RiskLevel.choices, blank=True)
    previous_level = models.CharField(
        _("level before"), max_length=10, choices=RiskLevel.choices, blank=True
    )
    reasons = models.TextField(_("reasons for the level"), blank=True)
    reasons_en = models.TextField(_("reasons (English)"), blank=True)
    disclose = models.BooleanField(_("disclose in public"), default=False)
    measures = models.JSONField(_("concerns and measures"), default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("risk assessment change")
        verbose_name_plural = _("risk assessment history")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(status="pending"),
                name="risk_change_one_pending",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["confirmed", "returned"])
                | (
                    models.Q(decided_by__isnull=False, decided_at__isnull=False)
                    & ~models.Q(decided_by=models.F("recorded_by"))
                ),
                name="risk_change_decided_by_a_second_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.previous_level or '-'} → {self.level or '-'}"


class ConcernMeasure(models.Model):
    """A major concern found in the public input and the measure planned against it."""

    assessment = models.ForeignKey(
        RiskAssessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    theme = models.ForeignKey(
        "feedback.Theme",
        verbose_name=_("theme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    concern = models.CharField(_("concern"), max_length=300)
    concern_en = models.CharField(_("concern (English)"), max_length=300, blank=True)
    measure = models.TextField(_("mitigation measure"))
    measure_en = models.TextField(_("mitigation measure (English)"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("concern and measure")
        verbose_name_plural = _("concerns and measures")

    def __str__(self) -> str:
        return self.concern
