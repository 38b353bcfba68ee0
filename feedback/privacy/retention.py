"""Delete the contacts of consultations whose response was published 90 days ago or more.

Contacts exist only to send the reply (R24, R39); PIPL Art. 19 asks for the shortest time
needed. After the purge, ``Submission.contact_ref`` is cleared: no opinion points to a contact.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from feedback.audit.trail import record
from feedback.models import AuditAction, ConsultationResponse, Contact, Submission

RETENTION_DAYS = 90


def purge_contacts(*, now=None, days: int = RETENTION_DAYS) -> list[tuple[int, int]]:
    """Purge every due consultation; returns [(consultation_id, contacts deleted)]."""
    now = now or timezone.now()
    due = ConsultationResponse.objects.filter(
        published_at__isnull=False,
        published_at__lte=now - timedelta(days=days),
        contacts_purged_at__isnull=True,
    ).order_by("pk")
    done = []
    for response in due:
        with transaction.atomic():
            subs = Submission.objects.filter(consultation_id=response.consultation_id).exclude(
                contact_ref=""
            )
            refs = list(subs.values_list("contact_ref", flat=True))
            deleted, _ = Contact.objects.filter(ref__in=refs).delete()
            cleared = subs.update(contact_ref="")
            ConsultationResponse.objects.filter(pk=response.pk).update(contacts_purged_at=now)
            record(
                None,
                AuditAction.CONTACT_PURGE,
                consultation=response.consultation_id,
                obj=response,
                detail={"contacts_deleted": deleted, "opinions_cleared": cleared, "days": days},
            )
        done.append((response.consultation_id, deleted))
    return done
