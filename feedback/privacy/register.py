"""The register of residents' requests about their personal information (PIPL Arts. 44 to 48),
received by phone, letter or in person, each due 15 working days after the day received on the
consultations' working-day calendar. Holds no contact; each step is an audit entry."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.periods import WORKING, last_day, local_date
from feedback.audit.trail import record
from feedback.models import AuditAction, PrivacyRequest, Submission
from feedback.privacy.permissions import can_keep_register
from feedback.privacy.services import refuse_personal_data, text_digest

ANSWER_WORKING_DAYS = 15
"""The privacy notice promises an answer within 15 working days."""


def answer_due_on(received_on: date) -> date:
    """15 working days after the day the request came in (that day not counted)."""
    return last_day(received_on, days=ANSWER_WORKING_DAYS, unit=WORKING)


def privacy_request_record(
    *,
    user,
    kind: str,
    channel: str,
    received_on: date,
    summary: str,
    submission: Submission | None = None,
    today: date | None = None,
) -> PrivacyRequest:
    if not can_keep_register(user):
        raise PermissionDenied
    summary = summary.strip()
    today = today or local_date(timezone.now())
    if received_on > today:
        raise ValidationError({"received_on": _("The day received cannot be in the future.")})
    if not summary:
        raise ValidationError({"summary": _("Say what the resident asks for.")})
    refuse_personal_data(summary, "summary")
    with transaction.atomic():
        entry = PrivacyRequest.objects.create(
            kind=kind,
            channel=channel,
            received_on=received_on,
            due_on=answer_due_on(received_on),
            submission=submission,
            summary=summary,
            recorded_by=user,
        )
        record(
            user,
            AuditAction.PRIVACY_REQUEST,
            consultation=submission.consultation_id if submission else None,
            obj=entry,
            detail={
                "op": "record",
                "kind": kind,
                "channel": channel,
                "opinion": submission.pk if submission else None,
                "due_on": entry.due_on.isoformat(),
                "text_digest": text_digest(summary),
            },
        )
    return entry


def privacy_request_close(
    *,
    user,
    entry: PrivacyRequest,
    status: str,
    outcome: str,
    closed_on: date | None = None,
) -> PrivacyRequest:
    """Record the answer (or the refusal, with its reasons) of an open request."""
    if not can_keep_register(user):
        raise PermissionDenied
    outcome = outcome.strip()
    closed_on = closed_on or local_date(timezone.now())
    if status not in (PrivacyRequest.Status.ANSWERED, PrivacyRequest.Status.REFUSED):
        raise ValidationError({"status": _("Choose answered or refused.")})
    if not outcome:
        raise ValidationError({"outcome": _("Say what was answered or why it was refused.")})
    refuse_personal_data(outcome, "outcome")
    with transaction.atomic():
        entry = PrivacyRequest.objects.select_for_update().get(pk=entry.pk)
        if entry.status != PrivacyRequest.Status.OPEN:
            raise ValidationError(_("This request has already been closed."))
        if closed_on < entry.received_on:
            raise ValidationError({"closed_on": _("The answer cannot come before the request.")})
        entry.status, entry.outcome = status, outcome
        entry.closed_on, entry.closed_by = closed_on, user
        entry.save(update_fields=["status", "outcome", "closed_on", "closed_by"])
        record(
            user,
            AuditAction.PRIVACY_REQUEST,
            consultation=entry.submission.consultation_id if entry.submission_id else None,
            obj=entry,
            detail={
                "op": status,
                "kind": entry.kind,
                "opinion": entry.submission_id,
                "due_on": entry.due_on.isoformat(),
                "late": closed_on > entry.due_on,
                "text_digest": text_digest(outcome),
            },
        )
    return entry
