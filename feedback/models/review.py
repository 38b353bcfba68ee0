"""Moderation and public display of individual opinions (R51).

Moderation changes what is shown, never what is counted: nothing here is read by the counts,
analysis or reports, which always include hidden opinions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DisplayMode(models.TextChoices):
    PRE = "pre", _("pre-moderation (shown after approval)")
    POST = "post", _("post-moderation (shown at once, can be hidden)")


class ModerationState(models.TextChoices):
    PENDING = "pending", _("awaiting moderation")
    SHOWN = "shown", _("shown")
    HIDDEN = "hidden", _("hidden")


class PublicDisplay(models.Model):
    """Whether a consultation shows individual opinions in public; off unless turned on."""

    consultation = models.OneToOneField(
        "consultations.Consultation",
        verbose_name=_("consultation"),
        on_delete=models.CASCADE,
        related_name="public_display",
    )
    enabled = models.BooleanField(_("show individual opinions in public"), default=False)
    mode = models.CharField(
        _("moderation mode"), max_length=10, choices=DisplayMode.choices, default=DisplayMode.PRE
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("public display of opinions")
        verbose_name_plural = _("public display of opinions")

    def __str__(self) -> str:
        return f"{self.consultation_id}: {'on' if self.enabled else 'off'} ({self.mode})"


class ModerationDecision(models.Model):
    """One moderation decision; the latest one sets ``Submission.moderation_state``."""

    submission = models.ForeignKey(
        "feedback.Submission",
        verbose_name=_("opinion"),
        on_delete=models.PROTECT,
        related_name="moderation_decisions",
    )
    state = models.CharField(
        _("decision"),
        max_length=10,
        choices=[(ModerationState.SHOWN, _("show")), (ModerationState.HIDDEN, _("hide"))],
    )
    reason = models.CharField(_("reason"), max_length=500)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderator"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = _("moderation decision")
        verbose_name_plural = _("moderation decisions")

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.state}"
