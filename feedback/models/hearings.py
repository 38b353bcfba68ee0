"""Hearings (听证会) of a consultation and the majority count of a requisition plan (issue 16).

- ``Hearing``: one per consultation; its notice, the participant selection (registration, the
  draw within categories), materials, the record and the report. Steps are services in
  ``feedback.hearings.services``; the rules of the law are checked there (R27, R28, R30).
- ``HearingRegistration``: name, category and a short statement only (R31). The contact is a
  ``Contact`` row (encrypted, apart), linked by the random ``contact_ref`` like an opinion's.
- ``MajorityCount`` / ``MajorityToken`` (R29): a count of members or owners who consider the
  plan unlawful, and the digests of the one-use tokens not used yet. A token's row has no
  serial number, no time and no link to anyone: its primary key is the token's digest, and a
  used token's row is deleted in the transaction that adds one to the count. The roster itself
  never enters the database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consultations.i18n import BilingualMixin
from feedback.models.choices import Stance
from feedback.models.fields import MinuteDateTimeField


class Hearing(BilingualMixin, models.Model):
    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="hearing",
    )
    starts_at = models.DateTimeField(_("hearing starts at"))
    place = models.CharField(_("place"), max_length=300)
    place_en = models.CharField(_("place (English)"), max_length=300, blank=True)
    explanation = models.TextField(
        _("explanation of the draft for the hearing"),
        help_text=_("The draft itself is the consultation's; explain what the hearing is about."),
    )
    explanation_en = models.TextField(_("explanation (English)"), blank=True)
    selection_method = models.TextField(
        _("participant selection method"),
        help_text=_("Who may register, the seats per category and how the draw is made."),
    )
    selection_method_en = models.TextField(_("selection method (English)"), blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes at"))
    notice_days = models.PositiveSmallIntegerField(
        _("notice period required (days)"), null=True, blank=True, editable=False
    )
    notice_published_at = models.DateTimeField(_("notice published at"), null=True, blank=True)
    list_frozen_at = models.DateTimeField(_("registration list frozen at"), null=True, blank=True)
    list_digest = models.CharField(_("SHA-256 of the registration list"), max_length=64, blank=True)
    seed_hash = models.CharField(_("SHA-256 of the draw seed"), max_length=64, blank=True)
    seed = models.CharField(
        _("draw seed"), max_length=64, blank=True, help_text=_("Shown only after the draw.")
    )
    drawn_at = models.DateTimeField(_("draw made at"), null=True, blank=True)
    participants_published_at = models.DateTimeField(
        _("participant list published at"), null=True, blank=True
    )
    materials_sent_on = models.DateField(_("materials sent on"), null=True, blank=True)
    held_at = models.DateTimeField(_("marked held at"), null=True, blank=True)
    report = models.TextField(_("hearing report"), blank=True)
    report_en = models.TextField(_("hearing report (English)"), blank=True)
    report_published_at = models.DateTimeField(_("report published at"), null=True, blank=True)
    contacts_purged_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")

    def __str__(self) -> str:
        return f"hearing {self.pk}"


class HearingCategory(BilingualMixin, models.Model):
    """A stakeholder category with its seats (e.g. affected residents, the public, experts)."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="categories")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("stakeholder category")
        verbose_name_plural = _("stakeholder categories")
        constraints = [
            models.UniqueConstraint(fields=["hearing", "code"], name="hearingcategory_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class HearingRegistration(models.Model):
    """A person who asked to take part. Only what R31 allows: name, category, short statement;
    the contact is stored apart (``Contact``), encrypted."""

    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="registrations")
    number = models.CharField(_("registration number"), max_length=12)
    category = models.ForeignKey(
        HearingCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    statement = models.TextField(_("short statement"), max_length=500)
    contact_ref = models.CharField(max_length=64, blank=True, editable=False)
    token = models.UUIDField(editable=False)
    created_at = MinuteDateTimeField(auto_now_add=True)
    selected = models.BooleanField(_("selected in the draw"), default=False)

    class Meta:
        ordering = ["number"]
        verbose_name = _("hearing registration")
        verbose_name_plural = _("hearing registrations")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="hearingregistration_number_unique"),
            models.UniqueConstraint(fields=["token"], name="hearingregistration_token_unique"),
        ]

    def __str__(self) -> str:
        return f"registration {self.number}"


class HearingParticipant(models.Model):
    """A participant of the hearing (drawn, or invited as the unit or an expert), with their
    confirmation of the record or the recorded refusal (R30)."""

    class Confirmation(models.TextChoices):
        PENDING = "pending", _("not yet confirmed")
        CONFIRMED = "confirmed", _("confirmed and signed the record")
        REFUSED = "refused", _("refused to sign (recorded)")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="participants")
    registration = models.OneToOneField(
        HearingRegistration, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=60)
    category = models.ForeignKey(
        HearingCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    confirmation = models.CharField(
        _("record confirmation"),
        max_length=10,
        choices=Confirmation.choices,
        default=Confirmation.PENDING,
    )
    confirmation_note = models.CharField(_("note"), max_length=300, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["category__sort_order", "pk"]
        verbose_name = _("hearing participant")
        verbose_name_plural = _("hearing participants")

    def __str__(self) -> str:
        return self.name


class HearingRecordItem(models.Model):
    """One entry of the record, in order (条例 Art. 17)."""

    class Kind(models.TextChoices):
        PRESENTATION = "presentation", _("presentation of the draft")
        STATEMENT = "statement", _("statement")
        QUESTION = "question", _("question")
        CROSS_EXAMINATION = "cross_exam", _("cross-examination")
        DEBATE = "debate", _("debate")
        EXPLANATION = "explanation", _("explanation")

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="record_items")
    position = models.PositiveIntegerField()
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    speaker = models.ForeignKey(
        HearingParticipant,
        verbose_name=_("speaker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    speaker_label = models.CharField(
        _("speaker (if not a participant)"), max_length=100, blank=True
    )
    stance = models.CharField(_("stance"), max_length=20, choices=Stance.choices, blank=True)
    text = models.TextField(_("what was said"))
    submission = models.ForeignKey(
        "feedback.Submission", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position"]
        verbose_name = _("record entry")
        verbose_name_plural = _("hearing record")
        constraints = [
            models.UniqueConstraint(
                fields=["hearing", "position"], name="hearingrecord_position_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.kind}"


class HearingView(BilingualMixin, models.Model):
    """A view raised at the hearing and what was done with it, for the report."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="views")
    summary = models.TextField(_("view"))
    summary_en = models.TextField(_("view (English)"), blank=True)
    adopted = models.BooleanField(_("adopted"))
    reason = models.TextField(_("reason"))
    reason_en = models.TextField(_("reason (English)"), blank=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("view raised at the hearing")
        verbose_name_plural = _("views raised at the hearing")

    def __str__(self) -> str:
        return self.summary[:40]


class MajorityCount(models.Model):
    """The verified count of affected members or owners who consider the plan unlawful (R29).

    ``roster_size`` is the number on the verified roster (the roster stays on paper, with the
    collective or the expropriation office); ``objections`` only ever grows by a used token."""

    class Basis(models.TextChoices):
        LAND = "land", _("members of the rural collective (土地管理法 Art. 47)")
        OLD_TOWN = "old_town", _("owners in old-town redevelopment (房屋征收条例 Art. 11)")

    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="majority_count",
    )
    basis = models.CharField(_("who is counted"), max_length=10, choices=Basis.choices)
    roster_size = models.PositiveIntegerField(_("members or owners on the verified roster"))
    tokens_issued = models.PositiveIntegerField(_("tokens handed out"), default=0)
    objections = models.PositiveIntegerField(_("consider the plan unlawful"), default=0)
    closes_at = models.DateTimeField(_("count closes at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("majority count")
        verbose_name_plural = _("majority counts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tokens_issued__lte=models.F("roster_size")),
                name="majority_tokens_within_roster",
            ),
            models.CheckConstraint(
                condition=models.Q(objections__lte=models.F("tokens_issued")),
                name="majority_objections_within_tokens",
            ),
        ]

    def __str__(self) -> str:
        return f"majority count {self.pk}"

    @property
    def majority_reached(self) -> bool:
        """More than half of the roster: exactly half is not a majority."""
        return self.roster_size > 0 and self.objections * 2 > self.roster_size


class MajorityToken(models.Model):
    """An unused one-use token: only its SHA-256 digest, no serial id, no time."""

    digest = models.CharField(max_length=64, primary_key=True)
    count = models.ForeignKey(MajorityCount, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("unused token")
        verbose_name_plural = _("unused tokens")
        default_permissions = ()

    def __str__(self) -> str:
        return "token"
