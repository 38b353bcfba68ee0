"""The privacy officer's records: identity look-ups (two people, one showing) and the register of
residents' requests about their personal information.

Neither model stores a contact or an opinion's text. An identity look-up names the opinion by its
internal number; the contact is decrypted only when the requester opens it, once, through
``feedback.privacy.contacts.contact_read``. Every change is made by ``feedback.privacy.services``
and written to the audit chain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalBasis(models.TextChoices):
    """Why a contact may be looked up; the first three are the cases of PIPL Art. 13(1)."""

    LEGAL_DUTY = (
        "legal_duty",
        _("a statutory duty or obligation of the authority (PIPL Art. 13(1)(3))"),
    )
    AUTHORITY_DEMAND = (
        "authority_demand",
        _(
            "a written demand under law from a public security organ, procuratorate, court or "
            "supervisory commission"
        ),
    )
    EMERGENCY = (
        "emergency",
        _("an emergency: protecting someone's life, health or property (PIPL Art. 13(1)(4))"),
    )
    SUBJECT_REQUEST = (
        "subject_request",
        _(
            "the resident's own request to access, copy, correct or delete their details "
            "(PIPL Arts. 44 to 47)"
        ),
    )


class IdentityRequestStatus(models.TextChoices):
    PENDING = "pending", _("awaiting a second person")
    APPROVED = "approved", _("approved, not yet shown")
    REFUSED = "refused", _("refused")
    REVEALED = "revealed", _("shown once")
    EXPIRED = "expired", _("expired")
    CANCELLED = "cancelled", _("withdrawn by the requester")


OPEN_STATUSES = (IdentityRequestStatus.PENDING, IdentityRequestStatus.APPROVED)


class IdentityRequest(models.Model):
    """A privacy officer's request to see the contact of one opinion, decided by a second person.

    The database refuses a decision by the requester (``identity_request_two_people``).
    """

    Status = IdentityRequestStatus
    LegalBasis = LegalBasis

    submission = models.ForeignKey(
        "feedback.Submission",
        verbose_name=_("opinion"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    legal_reference = models.CharField(
        _("law, article and document"),
        max_length=300,
        help_text=_(
            "The law and article relied on, and the number of the written demand or file, "
            "for example 《刑事诉讼法》第五十四条, 调取证据通知书 X公(刑)调证字〔2026〕12号."
        ),
    )
    reason = models.TextField(
        _("reason"),
        max_length=2000,
        help_text=_("Why this opinion's contact is needed. Do not write any contact details here."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=IdentityRequestStatus.choices,
        default=IdentityRequestStatus.PENDING,
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
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    reveal_expires_at = models.DateTimeField(_("can be shown until"), null=True, blank=True)
    revealed_at = models.DateTimeField(_("shown at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("expired or withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("identity look-up")
        verbose_name_plural = _("identity look-ups")
        default_permissions = ()
        indexes = [models.Index(fields=["status", "created_at"], name="identityrequest_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decided_by=models.F("requested_by")),
                name="identity_request_two_people",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "refused", "revealed"])
                | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="identity_request_decided",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["approved", "revealed"])
                | models.Q(reveal_expires_at__isnull=False),
                name="identity_request_window",
            ),
            models.CheckConstraint(
                condition=models.Q(revealed_at__isnull=True)
                | models.Q(status="revealed", revealed_at__lte=models.F("reveal_expires_at")),
                name="identity_request_shown_in_window",
            ),
            models.UniqueConstraint(
                fields=["submission", "requested_by"],
                condition=models.Q(status__in=["pending", "approved"]),
                name="identity_request_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"identity look-up {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class PrivacyRequestKind(models.TextChoices):
    ACCESS = "access", _("access or copy (PIPL Art. 45)")
    CORRECTION = "correction", _("correction or completion (PIPL Art. 46)")
    DELETION = "deletion", _("deletion (PIPL Art. 47)")
    EXPLANATION = "explanation", _("explanation of the processing (PIPL Art. 48)")
    CONSENT = "consent", _("withdrawal of consent (PIPL Art. 15)")
    OTHER = "other", _("other")


class PrivacyRequestChannel(models.TextChoices):
    PHONE = "phone", _("phone")
    LETTER = "letter", _("letter")
    VISIT = "visit", _("in person")
    EMAIL = "email", _("e-mail")
    OTHER = "other", _("other")


class PrivacyRequestStatus(models.TextChoices):
    OPEN = "open", _("being handled")
    ANSWERED = "answered", _("answered")
    REFUSED = "refused", _("refused, with reasons")


class PrivacyRequest(models.Model):
    """A resident's request about their personal information, received off-line, with the day
    the answer is due (15 working days, the privacy notice's promise). Holds no contact: the
    answer goes back the way the request came, handled outside the system."""

    Kind = PrivacyRequestKind
    Channel = PrivacyRequestChannel
    Status = PrivacyRequestStatus

    kind = models.CharField(_("request type"), max_length=12, choices=PrivacyRequestKind.choices)
    channel = models.CharField(
        _("received by"), max_length=10, choices=PrivacyRequestChannel.choices
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due by"))
    submission = models.ForeignKey(
        "feedback.Submission",
        verbose_name=_("opinion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.TextField(
        _("what is asked"),
        max_length=2000,
        help_text=_("What the resident asks for. No name, phone number, address or e-mail here."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PrivacyRequestStatus.choices,
        default=PrivacyRequestStatus.OPEN,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    closed_on = models.DateField(_("answered on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.TextField(_("outcome"), max_length=2000, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("resident's privacy request")
        verbose_name_plural = _("residents' privacy requests")
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("received_on")),
                name="privacy_request_due_after_receipt",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open")
                | models.Q(closed_on__isnull=False, closed_by__isnull=False),
                name="privacy_request_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"privacy request {self.pk} ({self.kind}, {self.status})"
