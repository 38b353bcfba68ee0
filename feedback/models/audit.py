"""The append-only, hash-chained audit trail of staff actions.

A database trigger refuses UPDATE and DELETE; each entry stores the HMAC of the previous one
(with a key the database does not hold), and a daily signed checkpoint pins the chain's length
and head, so `manage.py audit_verify` can prove that nothing was changed or removed. Write
entries only through ``feedback.audit.trail.record``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    MODERATE = "moderate", _("moderated an opinion")
    DISPLAY = "display", _("changed public display")
    CODE = "code", _("coded an opinion")
    NO_THEME = "no_theme", _("marked an opinion as having no theme")
    THEME = "theme", _("changed the coding frame")
    SUGGESTION = "suggestion", _("accepted or rejected a suggestion")
    CAMPAIGN = "campaign", _("decided on a campaign group")
    DISPOSITION = "disposition", _("set a disposition")
    PUBLISH = "publish", _("published")
    EXPORT = "export", _("exported data")
    CONTACT_READ = "contact_read", _("read a contact")
    CONTACT_PURGE = "contact_purge", _("purged contacts")
    RISK = "risk", _("recorded the risk assessment")
    INTAKE = "intake", _("entered an offline opinion")
    INTAKE_IMPORT = "intake_import", _("imported offline opinions")
    INTAKE_RECEIPTS = "intake_receipts", _("showed or closed intake receipt codes")
    IDENTITY_REQUEST = "identity_request", _("asked for an identity look-up")
    IDENTITY_APPROVE = "identity_approve", _("approved an identity look-up")
    IDENTITY_REFUSE = "identity_refuse", _("refused an identity look-up")
    IDENTITY_REVEAL = "identity_reveal", _("was shown a contact after approval")
    IDENTITY_EXPIRE = "identity_expire", _("an identity look-up expired")
    IDENTITY_CANCEL = "identity_cancel", _("withdrew an identity look-up")
    PRIVACY_REQUEST = "privacy_request", _("recorded a resident's privacy request")
    AUDIT_VIEW = "audit_view", _("viewed the audit trail or access log")
    # Issue 13: the first entry signed with a key, anchoring the entries written before.
    CHAIN_KEYED = "chain_keyed", _("started signing the audit trail with a key")
    # Two-person actions (issue 13, docs/adr/0011-two-person-actions.md).
    WITHDRAW_REQUEST = "withdraw_request", _("asked to withdraw a consultation")
    WITHDRAW_CONFIRM = "withdraw_confirm", _("confirmed withdrawing a consultation")
    WITHDRAW_REFUSE = "withdraw_refuse", _("refused withdrawing a consultation")
    WITHDRAW_RETRACT = "withdraw_retract", _("withdrew a withdrawal request")
    RESPONSE_SUBMIT = "response_submit", _("submitted the response for approval")
    RESPONSE_APPROVE = "response_approve", _("approved the response")
    RESPONSE_RETURN = "response_return", _("sent the response back")
    RISK_CONFIRM = "risk_confirm", _("confirmed the risk assessment")
    RISK_RETURN = "risk_return", _("sent the risk assessment back")
    LOGIN_UNLOCK = "login_unlock", _("unlocked a locked staff sign-in")
    SECOND_FACTOR_RESET = "second_factor_reset", _("reset a colleague's second factor")
    # Issue 16: hearings and the majority count of a requisition plan.
    HEARING = "hearing", _("acted on a hearing")
    MAJORITY_COUNT = "majority_count", _("acted on a majority count")
    # The decision chain: a step recorded, the decision recorded or corrected, a follow-up
    # consultation (决策后评估) opened. Entries written before session 10 say "publish".
    DECISION = "decision", _("recorded a step of the decision")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    consultation_id = models.BigIntegerField(_("consultation"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # HMAC-SHA256 of the previous entry and this one with the key ``key_id`` (feedback.audit);
    # an empty key_id: a plain SHA-256 written before issue 13.
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, unique=True, editable=False)
    key_id = models.CharField(max_length=32, blank=True, default="", editable=False)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"


class AuditCheckpoint(models.Model):
    """The chain's length and head of one day, signed and published (/audit/checkpoints/).

    Written once a day by ``feedback.audit.checkpoints.take_checkpoint``; append-only like the
    entries (migration 0015). Each checkpoint names the previous one's signature, so the
    published list is a chain too.
    """

    day = models.DateField(_("day"), unique=True)
    at = models.DateTimeField(_("taken at"))
    entries = models.PositiveBigIntegerField(_("entries"))
    head = models.CharField(_("latest entry's signature"), max_length=64)
    key_id = models.CharField(max_length=32)
    prev = models.CharField(max_length=64)
    mac = models.CharField(_("signature"), max_length=64, unique=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.day} {self.entries} {self.head[:16]}"


class StaffJob(models.Model):
    """A long staff job (export, re-analysis, PDF) run as a task, with progress for the screen."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=40)
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), default=0)
    result_file = models.CharField(_("result file"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("staff job")
        verbose_name_plural = _("staff jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.status} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else (100 if self.done else 0)
