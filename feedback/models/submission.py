"""One opinion and its parts. No IP address, user agent, fingerprint or contact data here."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.models.choices import (
    AffectedStatus,
    Channel,
    Phase,
    Preference,
    Stance,
    SubmissionStatus,
)
from feedback.models.fields import MinuteDateTimeField
from feedback.models.review import ModerationState


class Submission(models.Model):
    """An opinion in the register, from any channel. Withdrawn opinions stay and are counted."""

    Channel = Channel
    Stance = Stance
    AffectedStatus = AffectedStatus
    Status = SubmissionStatus
    Phase = Phase

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="submissions",
        db_index=False,  # served by submission_cons_id_idx (consultation, id)
    )
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.WEB
    )
    stance = models.CharField(
        _("overall stance"), max_length=20, choices=Stance.choices, blank=True
    )
    affected_status = models.CharField(
        _("how affected"), max_length=20, choices=AffectedStatus.choices, blank=True
    )
    comment = models.TextField(_("general comment"), blank=True)
    # Issue 16 point 5: opinions given after the decision, during its implementation, are
    # stored and counted apart; the figures frozen at the decision read the consultation phase.
    phase = models.CharField(
        _("phase"), max_length=16, choices=Phase.choices, default=Phase.CONSULTATION
    )
    # Unique by a constraint in Meta: ``unique=True`` would add a second (LIKE) index that no
    # query uses, written on every opinion.
    receipt = models.CharField(_("receipt code"), max_length=16)
    received_at = MinuteDateTimeField(_("received at"), default=timezone.now, db_index=True)
    submitted_on = models.DateField(
        _("date received"),
        null=True,
        blank=True,
        help_text=_("For opinions received offline: the day the letter, call or visit came in."),
    )
    updated_at = MinuteDateTimeField(_("last changed"), auto_now=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.RECEIVED,
    )
    withdrawn = models.BooleanField(_("withdrawn"), default=False)
    withdrawn_at = MinuteDateTimeField(_("withdrawn at"), null=True, blank=True)
    # An old receipt link (with the code in its path, from before issue 12) opens the receipt
    # once; then it only leads to the look-up form (feedback.intake.receipt_session).
    receipt_link_used = models.BooleanField(default=False, editable=False)
    quote_consent = models.BooleanField(_("may be quoted without name"), default=False)
    text_hash = models.CharField(
        _("normalised text hash"), max_length=64, blank=True, editable=False
    )  # indexed with the consultation (Meta.indexes): every look-up is within one
    is_exact_duplicate = models.BooleanField(
        _("exact duplicate of an earlier opinion"), default=False
    )
    idempotency_token = models.UUIDField(_("form token"), unique=True, editable=False)
    contact_ref = models.CharField(
        _("contact reference"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Random key of the separately stored contact; empty when none was given."),
    )
    moderation_state = models.CharField(
        _("public display"),
        max_length=10,
        choices=ModerationState.choices,
        default=ModerationState.PENDING,
        help_text=_("Changes what is shown in public only; every opinion is always counted."),
    )
    # Written by feedback.review.flags; a database trigger (migration 0009) empties it whenever
    # the comment or a clause comment changes, however the change is made.
    personal_data = models.CharField(
        _("personal details found"),
        max_length=100,
        null=True,
        blank=True,
        default=None,
        editable=False,
        help_text=_(
            "Kinds of personal details that masking found in the texts shown in public, comma "
            "separated; empty when none; unset until checked after the last change of the texts."
        ),
    )
    no_theme_reason = models.CharField(
        _("reason for no theme"),
        max_length=300,
        blank=True,
        help_text=_("Set when an analyst decides the opinion is about no theme of the frame."),
    )
    no_theme_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked 'no theme' by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text=_("Folded character pairs of all texts of the opinion, for full-text search."),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The clerk who entered an offline opinion; never the resident."),
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        indexes = [
            # A consultation's opinions in id order (exports, campaign grouping, search indexing
            # read them in id chunks); also every look-up by consultation alone.
            models.Index(fields=["consultation", "id"], name="submission_cons_id_idx"),
            models.Index(fields=["consultation", "received_at"], name="submission_cons_recv_idx"),
            models.Index(fields=["consultation", "text_hash"], name="submission_cons_hash_idx"),
            GinIndex(fields=["search_vector"], name="submission_search_gin"),
            # The public count of opinions during implementation (a few rows per consultation).
            models.Index(
                fields=["consultation"],
                condition=models.Q(phase="implementation"),
                name="submission_implementation_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["receipt"], name="submission_receipt_unique"),
            models.CheckConstraint(
                condition=models.Q(withdrawn=False) | models.Q(withdrawn_at__isnull=False),
                name="submission_withdrawn_has_time",
            ),
        ]

    def __str__(self) -> str:
        # Never the receipt code: a str() ends up in log lines and debug output (issue 12).
        return f"opinion {self.pk}"

    @property
    def formatted_receipt(self) -> str:
        from feedback.models.receipts import format_receipt

        return format_receipt(self.receipt)

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_ref)

    @property
    def date_received(self):
        """The day the opinion was received, which every staff screen shows and filters by:
        for an offline opinion the date on the letter or call (``submitted_on``), else the
        local day it arrived (issue 14, point 5). In queries: ``date_received_expression``."""
        return self.submitted_on or timezone.localdate(self.received_at)


def date_received_expression():
    """``Submission.date_received`` as a query expression (a date)."""
    from django.db.models.functions import Coalesce, TruncDate

    return Coalesce(
        "submitted_on", TruncDate("received_at", tzinfo=timezone.get_default_timezone())
    )


class AlternativePreference(models.Model):
    # Not indexed alone: the unique (submission, …) constraint's index serves every look-up by
    # opinion (the same for answers and clause comments).
    submission = models.ForeignKey(
        Submission,
        on_delete=models.CASCADE,
        related_name="alternative_preferences",
        db_index=False,
    )
    alternative = models.ForeignKey(
        "consultations.Alternative", on_delete=models.PROTECT, related_name="+"
    )
    preference = models.CharField(_("preference"), max_length=20, choices=Preference.choices)

    class Meta:
        verbose_name = _("preference for an alternative")
        verbose_name_plural = _("preferences for alternatives")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "alternative"], name="altpref_unique_per_submission"
            )
        ]

    def __str__(self) -> str:
        return f"{self.alternative_id}: {self.preference}"


class QuestionAnswer(models.Model):
    """An answer. Choices are stored as 1-based option indexes so both languages count together."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(
        "consultations.Question", on_delete=models.PROTECT, related_name="+"
    )
    options = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    scale = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question"], name="answer_unique_per_submission"
            ),
            models.CheckConstraint(
                condition=models.Q(scale__isnull=True) | models.Q(scale__gte=1, scale__lte=5),
                name="answer_scale_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.options or self.scale or self.text[:40]}"


class ClauseComment(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="clause_comments", db_index=False
    )
    clause = models.ForeignKey("consultations.Clause", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("comment on a clause")
        verbose_name_plural = _("comments on clauses")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "clause"], name="clausecomment_unique_per_submission"
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]
