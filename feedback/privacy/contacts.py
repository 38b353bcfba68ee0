"""Contacts: stored encrypted, apart from opinions, read only by the reply sender and
privacy officers, every read logged.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction

from feedback.models import (
    Contact,
    ContactAccessLog,
    Submission,
)
from feedback.permissions import can_read_contact
from feedback.privacy.crypto import decrypt_contact, encrypt_contact


def new_contact(data) -> tuple[Contact | None, str]:
    """An unsaved encrypted contact and its random reference; (None, "") without contact."""
    if not (data.contact_email or data.contact_phone):
        return None, ""
    ref = secrets.token_urlsafe(32)
    payload = {k: v for k, v in (("email", data.contact_email), ("phone", data.contact_phone)) if v}
    return Contact(ref=ref, ciphertext=encrypt_contact(payload)), ref


def store_contact(data) -> str:
    contact, ref = new_contact(data)
    if contact is not None:
        contact.save()
    return ref


REPLY_SENDER = object()
"""Pass as ``actor`` to ``contact_read`` from the reply-sending task (no user involved)."""


def contact_read(*, submission: Submission, actor, purpose: str) -> dict[str, str] | None:
    """Decrypt the contact of ``submission`` for the reply sender or a privacy officer whose
    identity look-up of it a second person approved (``feedback.privacy.services``).

    Everyone else gets PermissionDenied, whatever other role they hold. Every successful read
    writes a ContactAccessLog entry in the same transaction, so no read goes unrecorded.
    """
    if actor is REPLY_SENDER:
        context, user = ContactAccessLog.Context.REPLY_SENDER, None
    elif can_read_contact(actor, submission):
        context, user = ContactAccessLog.Context.PRIVACY_OFFICER, actor
    else:
        raise PermissionDenied(
            "Only the reply sender and an approved identity look-up may read a contact."
        )
    if not purpose.strip():
        raise ValueError("A purpose is required to read a contact.")
    if not submission.contact_ref:
        return None
    with transaction.atomic():
        contact = Contact.objects.filter(ref=submission.contact_ref).first()
        if contact is None:
            return None
        ContactAccessLog.objects.create(
            contact_ref=contact.ref, actor=user, context=context, purpose=purpose[:300]
        )
        return decrypt_contact(contact.ciphertext)


def contact_delete_by_resident(submission: Submission) -> bool:
    """Delete the contact of ``submission`` because its resident asked (on the receipt page, at
    any time). The opinion stays as it is; its reply notice is then never sent (no contact).
    Writes an audit entry naming only the opinion's number. False when there was no contact.
    """
    from feedback.audit.trail import record
    from feedback.models import AuditAction, Notification

    with transaction.atomic():
        locked = Submission.objects.select_for_update().filter(pk=submission.pk).first()
        if locked is None or not locked.contact_ref:
            return False
        deleted, _ = Contact.objects.filter(ref=locked.contact_ref).delete()
        # ``update``: the opinion's "last changed" time stays; only the reference goes.
        Submission.objects.filter(pk=locked.pk).update(contact_ref="")
        # A notice not sent yet is dropped, not left to fail for want of a contact.
        Notification.objects.filter(submission_id=locked.pk).exclude(
            status=Notification.Status.SENT
        ).delete()
        record(
            None,
            AuditAction.CONTACT_PURGE,
            consultation=locked.consultation_id,
            obj=locked,
            detail={"by": "resident", "contacts_deleted": deleted},
        )
    submission.contact_ref = ""
    return True
