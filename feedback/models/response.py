"""The official response: a disposition for every theme, published once the register is complete."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Disposition(models.TextChoices):
    ADOPTED = "adopted", _("adopted")
    PARTLY = "partly", _("partly adopted")
    NOT_ADOPTED = "not_adopted", _("not adopted")
    OUT_OF_SCOPE = "out_of_scope", _("outside this consultation; referred")


class ThemeResponse(models.Model):
    theme = models.OneToOneField(
        "feedback.Theme", verbose_name=_("theme"), on_delete=models.PROTECT, related_name="response"
    )
    disposition = models.CharField(_("disposition"), max_length=20, choices=Disposition.choices)
    reason = models.TextField(_("reason"), blank=True)
    reason_en = models.TextField(_("reason (English)"), blank=True)
    changed_clauses = models.ManyToManyField(
        "consultations.Clause",
        verbose_name=_("clauses changed in the new draft"),
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("response to a theme")
        verbose_name_plural = _("responses to themes")

    def __str__(self) -> str:
        return f"{self.theme_id}: {self.disposition}"


class ResponseStatus(models.TextChoices):
    """Two people publish a response (issue 13, docs/adr/0011-two-person-actions.md)."""

    SUBMITTED = "submitted", _("submitted, waiting for approval")
    RETURNED = "returned", _("sent back for changes")
    PUBLISHED = "published", _("approved and published")


class ConsultationResponse(models.Model):
    """The public response document of a consultation (意见采纳情况说明).

    An editor or approver of the department submits it (``submitted_by``); an approver of the
    department or a site administrator who is not the submitter approves it, which publishes
    it (``published_by``), or sends it back with a comment. ``fingerprint`` is the digest of
    the dispositions and summary as submitted: approval publishes exactly that.
    """

    Status = ResponseStatus

    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="opinion_response",
    )
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    draft_from = models.ForeignKey(
        "consultations.DraftVersion",
        verbose_name=_("draft consulted on"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    draft_to = models.ForeignKey(
        "consultations.DraftVersion",
        verbose_name=_("revised draft"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    counts = models.JSONField(
        _("counts at publication"),
        default=dict,
        blank=True,
        help_text=_("The register's totals when the response was published, for reconciliation."),
    )
    contacts_purged_at = models.DateTimeField(_("contacts purged at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    fingerprint = models.CharField(
        _("fingerprint of what was submitted"), max_length=64, blank=True
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent back by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    returned_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    return_comment = models.TextField(_("comment when sent back"), blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            # Published means approved by someone other than the submitter.
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | (
                    models.Q(published_at__isnull=False, published_by__isnull=False)
                    & ~models.Q(published_by=models.F("submitted_by"))
                ),
                name="response_published_by_a_second_person",
            ),
            models.CheckConstraint(
                condition=models.Q(status="published") | models.Q(published_at__isnull=True),
                name="response_published_only_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"response {self.consultation_id}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Notification(models.Model):
    """That a resident who left contact details was told about the response (``kind`` response)
    or that a post-decision evaluation of the decision opened (``follow_up``, issue 16). No
    contact data here.

    ``pending``: not tried yet, or queued again by staff; ``sent``: the e-mail server or SMS
    gateway accepted it; ``failed``: the last attempt was refused, tried again at
    ``next_attempt_at`` (empty when no attempt is left or there is no contact any more).
    ``last_error`` is a short code (``SMTPRecipientsRefused``, ``http_503``, ``no_contact``),
    never an address, a number or a server's answer.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    class Kind(models.TextChoices):
        RESPONSE = "response", _("the response is published")
        FOLLOW_UP = "follow_up", _("a post-decision evaluation is open")

    kind = models.CharField(_("about"), max_length=12, choices=Kind.choices, default=Kind.RESPONSE)
    submission = models.ForeignKey(
        "feedback.Submission",
        verbose_name=_("opinion"),
        on_delete=models.PROTECT,
        related_name="notifications",
    )
    medium = models.CharField(_("medium"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=60, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "kind"], name="notification_once_per_submission_kind"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notification_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.status}"
