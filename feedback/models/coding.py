"""The coding frame: themes per consultation, people's coding, and machine suggestions.

A suggestion is never applied by itself: a person accepts or rejects it, and both the
suggestion and the decision are kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Concern(models.TextChoices):
    """Broad family of a theme, used by the 稳评 evidence (health, safety, compensation …)."""

    HEALTH = "health", _("health")
    SAFETY = "safety", _("safety")
    COMPENSATION = "compensation", _("compensation and resettlement")
    ENVIRONMENT = "environment", _("environment")
    PROCEDURE = "procedure", _("procedure and legality")
    LIVELIHOOD = "livelihood", _("livelihood and local economy")
    TRAFFIC = "traffic", _("traffic and daily life")
    OTHER = "other", _("other")


class Theme(models.Model):
    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="themes",
    )
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True)
    concern = models.CharField(
        _("concern family"), max_length=20, choices=Concern.choices, default=Concern.OTHER
    )
    shortcut = models.CharField(
        _("keyboard shortcut"), max_length=1, blank=True, help_text=_("One letter or digit.")
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "name"], name="theme_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Coding(models.Model):
    """A person's decision that an opinion (or one of its clause comments) is about a theme."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("coded by hand")
        SUGGESTION = "suggestion", _("accepted suggestion")
        GROUP = "group", _("applied to a campaign group")
        IMPORT = "import", _("imported")

    submission = models.ForeignKey(
        "feedback.Submission",
        verbose_name=_("opinion"),
        on_delete=models.PROTECT,
        related_name="codings",
    )
    clause_comment = models.ForeignKey(
        "feedback.ClauseComment",
        verbose_name=_("comment on a clause"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="codings",
    )
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.PROTECT, related_name="codings"
    )
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.MANUAL
    )
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    coded_at = models.DateTimeField(_("coded at"), default=timezone.now)

    class Meta:
        verbose_name = _("coding")
        verbose_name_plural = _("codings")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "clause_comment", "theme"],
                name="coding_unique",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["theme", "submission"], name="coding_theme_sub_idx")]

    def __str__(self) -> str:
        return f"{self.submission_id} → {self.theme_id}"


class Suggestion(models.Model):
    """A machine suggestion and the human decision on it.

    ``kind=candidate_theme``: a cluster of opinions with top keywords, proposed as a new theme.
    ``kind=opinion_theme``: a theme proposed for one opinion by the classifier, with confidence.
    """

    class Kind(models.TextChoices):
        CANDIDATE_THEME = "candidate_theme", _("candidate theme")
        OPINION_THEME = "opinion_theme", _("theme for an opinion")

    class Decision(models.TextChoices):
        PENDING = "pending", _("awaiting a decision")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    consultation = models.ForeignKey(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.PROTECT,
        related_name="theme_suggestions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    submission = models.ForeignKey(
        "feedback.Submission",
        verbose_name=_("opinion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="theme_suggestions",
    )
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("suggested theme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    label = models.CharField(_("proposed name"), max_length=160, blank=True)
    keywords = models.JSONField(_("top keywords"), default=list, blank=True)
    example_ids = models.JSONField(_("example opinions"), default=list, blank=True)
    size = models.PositiveIntegerField(_("opinions in the cluster"), default=0)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    method = models.CharField(_("method and version"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
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
    resulting_theme = models.ForeignKey(
        Theme,
        verbose_name=_("theme created from it"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        indexes = [
            models.Index(fields=["consultation", "kind", "decision"], name="suggestion_queue_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.label or self.theme_id}"
