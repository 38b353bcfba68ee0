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
    """Decrypt the contact of ``submission`` for the reply sender or a privacy officer.

    Everyone else gets PermissionDenied, whatever other role they hold. Every successful read
    writes a ContactAccessLog entry in the same transaction, so no read goes unrecorded.
    """
    if actor is REPLY_SENDER:
        context, user = ContactAccessLog.Context.REPLY_SENDER, None
    elif can_read_contact(actor, submission):
        context, user = ContactAccessLog.Context.PRIVACY_OFFICER, actor
    else:
        raise PermissionDenied("Only privacy officers and the reply sender may read contacts.")
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
