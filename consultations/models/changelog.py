from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consultations.i18n import BilingualMixin


class ChangeLogEntry(BilingualMixin, models.Model):
    """A public record of a change to published content (R9, R14). Never edited."""

    class Type(models.TextChoices):
        PUBLISHED = "published", _("published")
        EDITED = "edited", _("content changed")
        EXTENDED = "extended", _("period extended")
        DRAFT_VERSION = "draft_version", _("new draft version")
        STAGE = "stage", _("stage changed")
        # Two-person actions (issue 13): withdrawing a published consultation ...
        WITHDRAWAL_REQUESTED = "withdrawal_requested", _("withdrawal requested")
        WITHDRAWAL_REFUSED = "withdrawal_refused", _("withdrawal refused")
        WITHDRAWAL_RETRACTED = "withdrawal_retracted", _("withdrawal request withdrawn")
        UNPUBLISHED = "unpublished", _("withdrawn from publication")
        CANCELLED = "cancelled", _("consultation cancelled")
        # ... the official response ...
        RESPONSE_SUBMITTED = "response_submitted", _("response submitted for approval")
        RESPONSE_RETURNED = "response_returned", _("response sent back")
        RESPONSE_APPROVED = "response_approved", _("response approved")
        # ... and the disclosed stability risk assessment.
        STABILITY = "stability", _("stability risk assessment disclosure")
        # The decision chain and the decision (issues 15, 16).
        DECISION_STEP = "decision_step", _("step towards the decision")
        DECISION = "decision", _("decision recorded")

    consultation = models.ForeignKey(
        "consultations.Consultation", on_delete=models.PROTECT, related_name="change_log"
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    summary = models.TextField(_("what changed"))
    summary_en = models.TextField(_("what changed (English)"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Kept for the audit; never shown in public."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("change-log entry")
        verbose_name_plural = _("change-log entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d} {self.get_type_display()}"


class WithdrawalRequestQuerySet(models.QuerySet):
    def public_notice(self, slug: str) -> WithdrawalRequest | None:
        """The confirmed request that took the consultation ``slug`` offline, for the public
        notice at its address; None while it is published or was never withdrawn."""
        return (
            self.filter(status="confirmed", consultation__slug=slug, consultation__live=False)
            .select_related("consultation", "consultation__department")
            .order_by("-decided_at", "-pk")
            .first()
        )


class WithdrawalRequest(BilingualMixin, models.Model):
    """A request to take a published consultation offline or cancel it (two people, issue 13).

    An approver of the department (or a site administrator) asks with a written reason; a
    second person (a site administrator or another approver of the same department) confirms
    or refuses; the requester may withdraw the request while it is pending. Only a confirmation
    unpublishes (``services.consultation_withdrawal_confirm``). The database refuses a
    confirmation by the requester and a second pending request for the same consultation.
    """

    class Action(models.TextChoices):
        UNPUBLISH = "unpublish", _("withdraw from publication")
        CANCEL = "cancel", _("cancel the consultation")

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a second person")
        CONFIRMED = "confirmed", _("confirmed")
        REFUSED = "refused", _("refused")
        RETRACTED = "retracted", _("withdrawn by the requester")

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="withdrawal_requests",
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    reason = models.TextField(_("reason"))
    reason_en = models.TextField(_("reason (English)"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.TextField(_("reason for the decision"), blank=True)

    objects = WithdrawalRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("withdrawal request")
        verbose_name_plural = _("withdrawal requests")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation"],
                condition=models.Q(status="pending"),
                name="withdrawal_one_pending_per_consultation",
            ),
            # Two people: whoever confirms or refuses is never the requester.
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "retracted"])
                | ~models.Q(decided_by=models.F("requested_by")),
                name="withdrawal_decided_by_another_person",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending")
                | models.Q(decided_at__isnull=False, decided_by__isnull=False),
                name="withdrawal_decision_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id}: {self.action} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


# Set only while ``services.consultation_withdrawal_confirm`` unpublishes a consultation; the
# model's ``unpublish`` refuses otherwise, so no view, command or script of Wagtail's takes a
# published consultation offline without a confirmed two-person request.
_confirmed_withdrawal: ContextVar[int | None] = ContextVar("confirmed_withdrawal", default=None)


@contextmanager
def confirmed_withdrawal(request: WithdrawalRequest):
    token = _confirmed_withdrawal.set(request.consultation_id)
    try:
        yield
    finally:
        _confirmed_withdrawal.reset(token)


def withdrawal_confirmed_for(consultation_id) -> bool:
    return consultation_id is not None and _confirmed_withdrawal.get() == consultation_id
