"""Reads for the privacy officer's screens: identity look-ups, the audit trail viewer, the contact
access log and the register of residents' requests. Nothing here returns a contact or the text
of an opinion."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.db.models import Case, F, Q, QuerySet, Value, When

from consultations.models import Consultation
from consultations.periods import end_of_day, local_zone
from feedback.models import (
    AuditEntry,
    ContactAccessLog,
    IdentityRequest,
    PrivacyRequest,
    Submission,
)
from feedback.models.receipts import normalise_receipt
from feedback.privacy.masking import mask_text

PAGE_SIZE = 50


def identity_requests(status: str = "") -> QuerySet[IdentityRequest]:
    rows = IdentityRequest.objects.select_related(
        "submission__consultation", "requested_by", "decided_by"
    )
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-created_at", "-pk")


@dataclass(frozen=True)
class OpinionFacts:
    """What both people see of the opinion named in a request: where and when, no text."""

    number: int
    consultation: Consultation
    received_on: date
    channel: str
    withdrawn: bool
    has_contact: bool


def opinion_facts(submission: Submission) -> OpinionFacts:
    return OpinionFacts(
        number=submission.pk,
        consultation=submission.consultation,
        received_on=submission.submitted_on
        or submission.received_at.astimezone(local_zone()).date(),
        channel=submission.get_channel_display(),
        withdrawn=submission.withdrawn,
        has_contact=bool(submission.contact_ref),
    )


def submission_by_number_or_receipt(typed: str) -> Submission | None:
    """The opinion a resident's request is about: its internal number, or the receipt code the
    resident reads out (checked here, never stored)."""
    typed = (typed or "").strip()
    if typed.isdigit():
        return Submission.objects.filter(pk=int(typed)).first()
    code = normalise_receipt(typed)
    if code is None:
        return None
    return Submission.objects.filter(receipt=code).first()


# -- the audit trail viewer ------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor: int | None = None
    system: bool = False
    consultation: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_detail(self) -> dict:
        """The filters as they are written to the audit entry of a viewing."""
        return {
            k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in self.__dict__.items()
            if v not in (None, "", False)
        }


def _local_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_zone())


def _in_dates(rows: QuerySet, field: str, date_from: date | None, date_to: date | None):
    if date_from:
        rows = rows.filter(**{f"{field}__gte": _local_start(date_from)})
    if date_to:
        rows = rows.filter(**{f"{field}__lt": end_of_day(date_to)})
    return rows


def audit_entries(filters: AuditFilters) -> QuerySet[AuditEntry]:
    rows = AuditEntry.objects.select_related("actor")
    if filters.action:
        rows = rows.filter(action=filters.action)
    if filters.system:
        rows = rows.filter(actor__isnull=True)
    elif filters.actor is not None:
        rows = rows.filter(actor_id=filters.actor)
    if filters.consultation is not None:
        rows = rows.filter(consultation_id=filters.consultation)
    rows = _in_dates(rows, "at", filters.date_from, filters.date_to)
    return rows.order_by("-pk")


def audit_actors() -> QuerySet:
    """Staff accounts, for the actor filter (people who left keep their entries)."""
    return (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(is_superuser=True))
        .order_by("username")
    )


def consultation_titles(ids) -> dict[int, str]:
    return dict(Consultation.objects.filter(pk__in=set(ids)).values_list("pk", "title"))


# Keys whose values may hold text written by residents or personal details: never shown.
_HIDDEN_KEYS = {
    "comment",
    "text",
    "excerpt",
    "quote",
    "contact",
    "email",
    "phone",
    "receipt",
    "receipts",
    "code",
    "name",
    "address",
}
_MAX_VALUE = 120


def _shown_value(value) -> str:
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    text = mask_text(text)
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 1] + "…"


def audit_detail_items(detail) -> list[tuple[str, str]]:
    """An entry's detail as (key, value) pairs fit for the viewer: keys that could hold a
    resident's words or details left out, values masked and shortened."""
    if not isinstance(detail, dict):
        return []
    items = []
    for key in sorted(detail):
        value = detail[key]
        if key.lower() in _HIDDEN_KEYS or value in (None, "", [], {}):
            continue
        items.append((key, _shown_value(value)))
    return items


# -- the contact access log ------------------------------------------------------------------


def contact_access_entries(
    context: str = "", date_from: date | None = None, date_to: date | None = None
) -> QuerySet[ContactAccessLog]:
    rows = ContactAccessLog.objects.select_related("actor")
    if context:
        rows = rows.filter(context=context)
    return _in_dates(rows, "created_at", date_from, date_to).order_by("-created_at", "-pk")


# -- residents' requests ---------------------------------------------------------------------


def privacy_requests(status: str = "") -> QuerySet[PrivacyRequest]:
    rows = PrivacyRequest.objects.select_related("recorded_by", "closed_by", "submission")
    if status:
        rows = rows.filter(status=status)
    # the open ones first, the earliest due first; then the closed ones, the latest first
    is_open = Case(When(status=PrivacyRequest.Status.OPEN, then=Value(0)), default=Value(1))
    open_due = Case(When(status=PrivacyRequest.Status.OPEN, then=F("due_on")), default=None)
    return rows.order_by(is_open, open_due, "-received_on", "-pk")


def overdue_count(today: date) -> int:
    return PrivacyRequest.objects.filter(
        status=PrivacyRequest.Status.OPEN, due_on__lt=today
    ).count()
