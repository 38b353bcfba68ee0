"""The decision taken after a consultation, and the steps of the decision chain (R22).

The decision (date, deciding body, summary, document) is recorded by the department in the
admin through ``consultations.decisions.decision_record``; the steps between the consultation
and the decision (hearing, expert review, stability assessment, legality review) through
``decision_step_record``. Which steps a kind needs, and why, is in ``consultations.decisions``.
Rows are written only by those services, so each change has its change-log and audit entry.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consultations.i18n import BilingualMixin


class Step(models.TextChoices):
    """The steps of a decision chain, in the order they are shown."""

    CONSULTATION = "consultation", _("public consultation")
    HEARING = "hearing", _("hearing")
    EXPERT_REVIEW = "expert_review", _("expert review")
    STABILITY = "stability", _("social stability risk assessment")
    LEGALITY_REVIEW = "legality_review", _("legality review")
    COLLECTIVE_DECISION = "collective_decision", _("collective decision")
    PUBLICATION = "publication", _("publication of the decision")


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not yet done")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    WITHHELD = "withheld", _("done, not disclosed according to law")
    NOT_REQUIRED = "not_required", _("not required")


class DecisionStep(BilingualMixin, models.Model):
    """One recorded step of a consultation's decision chain (hearing, expert review, ...)."""

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="decision_steps",
    )
    step = models.CharField(_("step"), max_length=30, choices=Step.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=StepStatus.choices, default=StepStatus.NOT_STARTED
    )
    required = models.BooleanField(
        _("mandatory for this consultation"),
        default=False,
        help_text=_("Set when the law makes this step mandatory here (a majority objection)."),
    )
    date = models.DateField(_("date"), null=True, blank=True)
    summary = models.TextField(
        _("what was done and how opinions were adopted"),
        blank=True,
        help_text=_(
            "Shown on the public page. For expert review: the experts' opinions and "
            "how they were adopted; when not required: why."
        ),
    )
    summary_en = models.TextField(_("summary (English)"), blank=True)
    withheld_ground = models.TextField(
        _("legal ground for not disclosing"),
        blank=True,
        help_text=_("Required when the step is not disclosed: cite the article of law."),
    )
    url = models.CharField(_("public link"), max_length=500, blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["consultation", "step"]
        verbose_name = _("decision step")
        verbose_name_plural = _("decision steps")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "step"], name="decisionstep_one_per_step"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="withheld") | ~models.Q(withheld_ground=""),
                name="decisionstep_withheld_has_ground",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["done", "withheld"]) | models.Q(date__isnull=False),
                name="decisionstep_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.step} ({self.status})"


class Decision(BilingualMixin, models.Model):
    """The decision taken on a consultation's proposal (条例 Art. 30, 32)."""

    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="decision",
    )
    decided_on = models.DateField(_("decision date"))
    body = models.CharField(_("deciding body"), max_length=200)
    body_en = models.CharField(_("deciding body (English)"), max_length=200, blank=True)
    meeting = models.CharField(
        _("meeting"),
        max_length=200,
        blank=True,
        help_text=_("For example: the 12th executive meeting of the city government."),
    )
    meeting_en = models.CharField(_("meeting (English)"), max_length=200, blank=True)
    summary = models.TextField(
        _("the decision and how opinions were adopted"),
        help_text=_(
            "Shown on the public page: what was decided, and how public and expert "
            "opinions were adopted."
        ),
    )
    summary_en = models.TextField(_("summary (English)"), blank=True)
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("decision document"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.decided_on:%Y-%m-%d} {self.body}"
