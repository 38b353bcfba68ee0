"""Contact details for the reply, stored apart from opinions and encrypted at rest (R39).

There is no foreign key between ``Contact`` and ``Submission``: the only link is a random
reference, so no ORM join leads from an opinion to a person. Read contacts only through
``feedback.privacy.contacts.contact_read``, which checks the caller and writes ``ContactAccessLog``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from feedback.models.fields import MinuteDateTimeField


class Contact(models.Model):
    ref = models.CharField(max_length=64, editable=False)  # unique: Meta (no LIKE index)
    ciphertext = models.TextField(editable=False)
    created_at = MinuteDateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact for the reply")
        verbose_name_plural = _("contacts for the reply")
        default_permissions = ()
        constraints = [models.UniqueConstraint(fields=["ref"], name="contact_ref_unique")]

    def __str__(self) -> str:
        return f"contact {self.pk}"


class ContactAccessLog(models.Model):
    """Append-only record of every read of a contact: who, when, in which capacity, why."""

    class Context(models.TextChoices):
        PRIVACY_OFFICER = "privacy_officer", _("privacy officer")
        REPLY_SENDER = "reply_sender", _("reply sender")
        HEARING_ORGANISER = "hearing_organiser", _("hearing organiser")

    contact_ref = models.CharField(max_length=64, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    context = models.CharField(max_length=20, choices=Context.choices)
    purpose = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contact access log entry")
        verbose_name_plural = _("contact access log")
        default_permissions = ("view",)

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.context}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The contact access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The contact access log is append-only.")
