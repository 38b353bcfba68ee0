"""Groups of identical or near-identical opinions (R61). Grouping never deletes or discounts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignGroup(models.Model):
    class Kind(models.TextChoices):
        EXACT = "exact", _("identical texts")
        NEAR = "near", _("near-identical texts")

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("suggested")
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="campaign_groups",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.NEAR)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.SUGGESTED
    )
    representative = models.ForeignKey(
        "feedback.Submission",
        verbose_name=_("representative opinion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_burst = models.BooleanField(_("arrived in a burst"), default=False)
    burst_started_at = models.DateTimeField(_("burst started"), null=True, blank=True)
    burst_ended_at = models.DateTimeField(_("burst ended"), null=True, blank=True)
    split_from = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("campaign group")
        verbose_name_plural = _("campaign groups")

    def __str__(self) -> str:
        return f"{self.consultation_id}/{self.pk} ({self.kind}, {self.status})"


class CampaignMember(models.Model):
    """An opinion's place in a group; an opinion is in at most one group at a time."""

    group = models.ForeignKey(
        CampaignGroup,
        verbose_name=pgettext_lazy("similar opinions", "group"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    submission = models.OneToOneField(
        "feedback.Submission",
        verbose_name=_("opinion"),
        on_delete=models.PROTECT,
        related_name="campaign_membership",
    )
    similarity = models.FloatField(_("estimated similarity to the representative"), default=1.0)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign group member")
        verbose_name_plural = _("campaign group members")

    def __str__(self) -> str:
        return f"{self.group_id}:{self.submission_id}"


class CampaignScanState(models.Model):
    """Where incremental grouping of a consultation stopped (the last opinion it has seen)."""

    consultation = models.OneToOneField(
        "consultations.Consultation", on_delete=models.CASCADE, related_name="+"
    )
    last_submission_id = models.BigIntegerField(default=0)
    # Bumped whenever stored signatures are deleted (an edit, a re-analysis), so that a worker's
    # cached LSH index knows it must be rebuilt rather than extended.
    generation = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("campaign scan state")
        verbose_name_plural = _("campaign scan states")

    def __str__(self) -> str:
        return f"{self.consultation_id}@{self.last_submission_id}"


class TextSignature(models.Model):
    """The MinHash signature of an opinion's text, kept so grouping can run incrementally."""

    submission = models.OneToOneField(
        "feedback.Submission", on_delete=models.CASCADE, related_name="text_signature"
    )
    minhash = models.BinaryField(editable=False)
    token_count = models.PositiveIntegerField(default=0)
    # The opinion's text_hash when the signature was made: an edit that changes the text makes
    # the signature stale (the receiver in feedback.campaigns.tasks deletes it).
    text_hash = models.CharField(max_length=64, blank=True, default="")
    # Whether the signature is in the LSH index (False for exact duplicates, texts too short to
    # compare, and texts absorbed by a near-identical earlier text).
    indexed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Issue 14 (feedback.analysis.campaigns): hash of the text normalised for matching (same key,
    # same text: grouped at once); ``short``: ``minhash`` holds the text's character-bigram hashes
    # (short-text method) instead of a MinHash sketch; ``guard``: its stance words, negations and
    # numbers, which two texts must share to be grouped.
    match_key = models.CharField(max_length=32, blank=True, default="")
    short = models.BooleanField(default=False)
    guard = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("text signature")
        verbose_name_plural = _("text signatures")
        indexes = [
            models.Index(
                fields=["match_key"],
                name="textsig_match_key_idx",
                condition=~models.Q(match_key=""),
            )
        ]

    def __str__(self) -> str:
        return f"signature {self.submission_id}"
