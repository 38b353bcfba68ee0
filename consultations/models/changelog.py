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
