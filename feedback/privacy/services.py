"""Identity look-ups: two people, shown once (the register of residents' requests is in
``feedback.privacy.register``).

Each step checks who acts, changes the row and writes its audit entry in one transaction. The
audit entries name the opinion by its internal number and carry a digest of the request's free
text, never the text, never the contact.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from feedback.audit.trail import record
from feedback.models import (
    AuditAction,
    AuditEntry,
    IdentityRequest,
    Submission,
)
from feedback.privacy.contacts import contact_read
from feedback.privacy.masking import find_personal_data
from feedback.privacy.permissions import (
    can_decide_identity,
    can_request_identity,
    is_requester,
)

REVEAL_WINDOW = timedelta(minutes=15)
"""After approval, the requester may open the contact once within this time."""
PENDING_LIFETIME = timedelta(days=7)
"""A request nobody decided within this time expires; the requester asks again if still needed."""

Status = IdentityRequest.Status


def text_digest(*texts: str) -> str:
    """Binds the free text of a request to the audit chain without copying it there."""
    return hashlib.sha256("\x1f".join(texts).encode("utf-8")).hexdigest()


def refuse_personal_data(text: str, field: str) -> None:
    if find_personal_data(text):
        raise ValidationError(
            {
                field: _(
                    "Do not write phone numbers, e-mail addresses or other contact details here."
                )
            }
        )


def _audit(actor, action, request: IdentityRequest, **detail) -> None:
    record(
        actor,
        action,
        consultation=request.submission.consultation_id,
        obj=request,
        detail={"opinion": request.submission_id, **detail},
    )


# -- identity look-ups ----------------------------------------------------------------------


def identity_request_create(
    *, user, submission_id: int, legal_basis: str, legal_reference: str, reason: str
) -> IdentityRequest:
    """A privacy officer asks to see the contact of opinion ``submission_id``."""
    if not can_request_identity(user):
        raise PermissionDenied
    legal_reference, reason = legal_reference.strip(), reason.strip()
    if legal_basis not in IdentityRequest.LegalBasis.values:
        raise ValidationError({"legal_basis": _("Choose the legal basis.")})
    if not legal_reference:
        raise ValidationError({"legal_reference": _("Name the law, article and document.")})
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    refuse_personal_data(legal_reference, "legal_reference")
    refuse_personal_data(reason, "reason")
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        raise ValidationError({"submission_id": _("No opinion has this number.")})
    if submission.withdrawn:
        raise ValidationError(
            {
                "submission_id": _(
                    "This opinion was withdrawn by its author and its contact details were "
                    "deleted then. There is nothing to look up."
                )
            }
        )
    if not submission.contact_ref:
        raise ValidationError(
            {
                "submission_id": _(
                    "This opinion has no contact details: none were given, or they have been "
                    "deleted. There is nothing to look up."
                )
            }
        )
    try:
        with transaction.atomic():
            request = IdentityRequest.objects.create(
                submission=submission,
                requested_by=user,
                legal_basis=legal_basis,
                legal_reference=legal_reference,
                reason=reason,
            )
            _audit(
                user,
                AuditAction.IDENTITY_REQUEST,
                request,
                legal_basis=legal_basis,
                text_digest=text_digest(legal_reference, reason),
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"submission_id": _("You already have an open request for this opinion.")}
        ) from exc
    return request


def _locked(request: IdentityRequest) -> IdentityRequest:
    return (
        IdentityRequest.objects.select_for_update().select_related("submission").get(pk=request.pk)
    )


def _expire_if_due(request: IdentityRequest, now: datetime) -> bool:
    """Expire a locked request whose time is over; True when it did."""
    due = (request.status == Status.PENDING and request.created_at <= now - PENDING_LIFETIME) or (
        request.status == Status.APPROVED and request.reveal_expires_at <= now
    )
    if not due:
        return False
    was = request.status
    request.status, request.closed_at = Status.EXPIRED, now
    request.save(update_fields=["status", "closed_at"])
    _audit(None, AuditAction.IDENTITY_EXPIRE, request, was=was)
    return True


def identity_requests_expire(*, now: datetime | None = None) -> int:
    """Expire every request whose time is over (called before each screen and step)."""
    now = now or timezone.now()
    expired = 0
    due = IdentityRequest.objects.filter(
        status=Status.PENDING, created_at__lte=now - PENDING_LIFETIME
    ) | IdentityRequest.objects.filter(status=Status.APPROVED, reveal_expires_at__lte=now)
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            request = (
                IdentityRequest.objects.select_for_update(skip_locked=True)
                .select_related("submission")
                .filter(pk=pk)
                .first()
            )
            if request is not None and _expire_if_due(request, now):
                expired += 1
    return expired


class NotPending(ValidationError):
    pass


def _may_decide(user, request: IdentityRequest, now: datetime) -> None:
    """Check the person, then expire what is due (committed even if the step fails)."""
    if not can_decide_identity(user, request):
        raise PermissionDenied
    identity_requests_expire(now=now)


def _decide(request: IdentityRequest) -> IdentityRequest:
    """The locked request, which must still await a decision; call inside the transaction."""
    request = _locked(request)
    if request.status != Status.PENDING:
        raise NotPending(_("This request has already been decided, withdrawn or has expired."))
    return request


def identity_request_approve(
    *, user, request: IdentityRequest, note: str = "", now: datetime | None = None
) -> IdentityRequest:
    """A second privacy officer or a site administrator approves; the window opens now."""
    now = now or timezone.now()
    note = note.strip()
    refuse_personal_data(note, "note")
    _may_decide(user, request, now)
    with transaction.atomic():
        request = _decide(request)
        if request.submission.withdrawn or not request.submission.contact_ref:
            raise ValidationError(
                _("The opinion has no contact details any more. Refuse the request instead.")
            )
        request.status = Status.APPROVED
        request.decided_by, request.decided_at = user, now
        request.decision_note = note[:500]
        request.reveal_expires_at = now + REVEAL_WINDOW
        request.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "decision_note",
                "reveal_expires_at",
            ]
        )
        _audit(
            user,
            AuditAction.IDENTITY_APPROVE,
            request,
            requested_by=request.requested_by_id,
            until=request.reveal_expires_at.isoformat(),
            note_digest=text_digest(note) if note else "",
        )
    return request


def identity_request_refuse(
    *, user, request: IdentityRequest, note: str, now: datetime | None = None
) -> IdentityRequest:
    """A second person refuses, saying why; nothing is ever shown from this request."""
    now = now or timezone.now()
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Say why the request is refused.")})
    refuse_personal_data(note, "note")
    _may_decide(user, request, now)
    with transaction.atomic():
        request = _decide(request)
        request.status = Status.REFUSED
        request.decided_by, request.decided_at = user, now
        request.decision_note = note[:500]
        request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        _audit(
            user,
            AuditAction.IDENTITY_REFUSE,
            request,
            requested_by=request.requested_by_id,
            note_digest=text_digest(note),
        )
    return request


def identity_request_cancel(
    *, user, request: IdentityRequest, now: datetime | None = None
) -> IdentityRequest:
    """The requester withdraws a request that is still open."""
    now = now or timezone.now()
    if not is_requester(user, request):
        raise PermissionDenied
    identity_requests_expire(now=now)
    with transaction.atomic():
        request = _locked(request)
        if not request.is_open:
            raise NotPending(_("This request is no longer open."))
        was = request.status
        request.status, request.closed_at = Status.CANCELLED, now
        request.save(update_fields=["status", "closed_at"])
        _audit(user, AuditAction.IDENTITY_CANCEL, request, was=was)
    return request


@dataclass(frozen=True)
class Revealed:
    request: IdentityRequest
    contact: dict[str, str] | None
    """None when the contact no longer exists (deleted by retention or by the resident)."""


def identity_request_reveal(*, user, request: IdentityRequest) -> Revealed:
    """Show the contact to the requester, once, within the window after approval.

    The read goes through ``contact_read`` (which checks the approval again and writes the
    ContactAccessLog entry); the request is then closed as shown, in the same transaction.
    """
    if not is_requester(user, request):
        raise PermissionDenied
    now = timezone.now()
    identity_requests_expire(now=now)
    with transaction.atomic():
        request = _locked(request)
        if request.status == Status.REVEALED:
            raise NotPending(_("This contact has already been shown once. It is not shown again."))
        if request.status != Status.APPROVED or request.reveal_expires_at <= now:
            raise NotPending(_("This request was not approved, or its time has run out."))
        contact = contact_read(
            submission=request.submission,
            actor=user,
            purpose=f"identity look-up {request.pk} ({request.legal_basis})",
        )
        request.status, request.revealed_at = Status.REVEALED, now
        request.save(update_fields=["status", "revealed_at"])
        _audit(user, AuditAction.IDENTITY_REVEAL, request, contact_found=contact is not None)
    return Revealed(request=request, contact=contact)


# -- viewing the audit trail and the access log --------------------------------------------------

VIEW_RECORD_GAP = timedelta(minutes=10)


def audit_view_record(*, user, screen: str, filters: dict) -> bool:
    """Who watched the watchers: one audit entry per person, screen and set of filters within
    ten minutes (paging through the same list writes no new entry). True when one was written."""
    detail = {"screen": screen, "filters": filters}
    with transaction.atomic():
        recent = AuditEntry.objects.filter(
            actor=user,
            action=AuditAction.AUDIT_VIEW,
            at__gte=timezone.now() - VIEW_RECORD_GAP,
            detail=detail,
        )
        if recent.exists():
            return False
        record(user, AuditAction.AUDIT_VIEW, detail=detail)
    return True
