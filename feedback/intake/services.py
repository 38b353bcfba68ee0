"""Write paths of the opinion register. A new opinion is one statement (feedback/intake/insert.py);
edits and withdrawals are one short transaction each.

Principles (issue 3): nothing acknowledged is lost, identity stays apart from opinions, and bad
input changes nothing. A receipt is only returned after the transaction has committed.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation, Decision
from feedback.analysis.text import normalize_text
from feedback.intake.insert import PART_MODELS, StaleRoute, insert_opinion
from feedback.models import (
    Channel,
    Contact,
    ModerationState,
    Phase,
    Submission,
)
from feedback.models.receipts import new_receipt
from feedback.privacy.contacts import new_contact, store_contact


class NotAcceptingOpinions(Exception):
    """The consultation is not open at this second (or the opinion was withdrawn)."""

    def __init__(self, status: str, message: str = ""):
        self.status = status
        super().__init__(message or status)


@dataclass
class Answer:
    options: list[int] = field(default_factory=list)
    scale: int | None = None
    text: str = ""

    def is_empty(self) -> bool:
        return not self.options and self.scale is None and not self.text


@dataclass
class OpinionData:
    """Cleaned content of one opinion, the same for the web form and the intake clerk."""

    stance: str = ""
    affected_status: str = ""
    comment: str = ""
    quote_consent: bool = False
    preferences: dict[int, str] = field(default_factory=dict)  # alternative id → Preference
    answers: dict[int, Answer] = field(default_factory=dict)  # question id → Answer
    clause_comments: dict[int, str] = field(default_factory=dict)  # clause id → text
    contact_email: str = ""
    contact_phone: str = ""

    def has_content(self) -> bool:
        return bool(
            self.stance
            or self.comment
            or any(self.preferences.values())
            or any(not a.is_empty() for a in self.answers.values())
            or any(self.clause_comments.values())
        )


def normalised_text_hash(data: OpinionData) -> str:
    """SHA-256 of the opinion's texts, folded (NFKC, invisible characters, case, whitespace);
    empty when no text."""
    parts = [data.comment] + [data.clause_comments[k] for k in sorted(data.clause_comments)]
    parts += [a.text for _k, a in sorted(data.answers.items()) if a.text]
    text = "\u241e".join(p for p in parts if p)
    if not text:
        return ""
    # NFKC, zero-width characters and stray combining marks dropped, whitespace runs as one
    # space (``normalize_text``): copies that differ only by invisible characters are identical.
    folded = normalize_text(text).casefold()
    return hashlib.sha256(folded.encode()).hexdigest()


def _parts(data: OpinionData) -> list[list[dict]]:
    """The rows of an opinion's parts, as field values by attribute name, in the order of
    ``opinion_insert.PART_MODELS``: preferences, answers, clause comments."""
    return [
        [
            {"alternative_id": alt_id, "preference": pref}
            for alt_id, pref in data.preferences.items()
            if pref
        ],
        [
            {"question_id": q_id, "options": sorted(a.options), "scale": a.scale, "text": a.text}
            for q_id, a in data.answers.items()
            if not a.is_empty()
        ],
        [
            {"clause_id": clause_id, "text": text}
            for clause_id, text in data.clause_comments.items()
            if text
        ],
    ]


def _write_parts(submission: Submission, data: OpinionData) -> None:
    for model, rows in zip(PART_MODELS, _parts(data), strict=True):
        if rows:
            model.objects.bulk_create(model(submission=submission, **row) for row in rows)


_MARK_DUPLICATE_SQL = """
UPDATE {table} SET is_exact_duplicate = EXISTS (
    SELECT 1 FROM {table} e
    WHERE e.consultation_id = %s AND e.text_hash = %s AND e.text_hash <> '' AND e.id < %s
)
WHERE id = %s
RETURNING is_exact_duplicate
"""


def _mark_duplicate(submission: Submission) -> None:
    """Set the exact-duplicate mark: does an earlier opinion of the consultation have the same
    text? One statement. An exact duplicate is accepted and marked, never refused."""
    if not submission.text_hash and not submission.is_exact_duplicate:
        return
    sql = _MARK_DUPLICATE_SQL.format(table=connection.ops.quote_name(Submission._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [submission.consultation_id, submission.text_hash, submission.pk, submission.pk],
        )
        submission.is_exact_duplicate = cursor.fetchone()[0]


def _local_date_range(consultation: Consultation) -> tuple[date, date]:
    opens = timezone.localtime(consultation.opens_at).date()
    last = timezone.localtime(consultation.closes_at - timedelta(seconds=1)).date()
    return opens, last


def check_offline_date(
    consultation: Consultation, received_on: date, *, after_close: bool = False
) -> None:
    """An offline opinion counts when it reached the department within the period, and is
    refused once the response is published (or the decision taken): the published figures
    and answers would no longer include it. Callers that must not race with the publication
    lock the consultation row first (``feedback.intake.offline.consultation_for_intake``)."""
    if consultation.opens_at is None or consultation.closes_at is None:
        raise NotAcceptingOpinions(Consultation.Status.DRAFT)
    if consultation.stage != Consultation.Stage.CONSULTING:
        raise NotAcceptingOpinions(
            consultation.stage,
            str(
                _(
                    "The response to this consultation has been published, so offline opinions "
                    "can no longer be added to it."
                )
            ),
        )
    first, last = _local_date_range(consultation)
    # A hearing (feedback.hearings) may be held after the close; its statements count until
    # the response is published (``after_close``).
    if received_on < first or (received_on > last and not after_close):
        raise NotAcceptingOpinions(
            Consultation.Status.CLOSED,
            str(_("The date received must fall within the consultation period.")),
        )


def check_implementation_open(consultation: Consultation, now: datetime) -> None:
    """Opinions during implementation (issue 16 point 5, 条例 Art. 35) are taken once the
    decision is recorded (stage "decided" with a ``Decision``), and at no other stage."""
    status = consultation.status_at(now)
    if status != Consultation.Status.DECIDED:
        raise NotAcceptingOpinions(status)
    if not Decision.objects.filter(consultation_id=consultation.pk).exists():
        raise NotAcceptingOpinions(Consultation.Status.CLOSED)


def submission_create(
    *,
    consultation: Consultation,
    data: OpinionData,
    token: uuid.UUID,
    channel: str = Channel.WEB,
    submitted_on: date | None = None,
    entered_by=None,
    now: datetime | None = None,
    route_version: str | None = None,
    phase: str = Phase.CONSULTATION,
) -> tuple[Submission, bool]:
    """Store an opinion; returns ``(submission, created)``.

    The same ``token`` always returns the first submission stored with it (a retry, a double
    click, a reloaded POST), enforced by the unique constraint. Web opinions need the
    consultation to be open at this second; offline ones need a date received in the period.
    A new token (the usual case) costs no look-up: the INSERT itself finds a stored one.

    ``route_version``: the consultation row's version the request was routed with; the
    statement stores nothing if the row changed since (``StaleRoute``, see ``insert_opinion``).

    ``phase``: ``Phase.IMPLEMENTATION`` stores an opinion given during the decision's
    implementation (``feedback.after_decision``): web only, and only while the consultation is
    decided (``check_implementation_open``); every other stage refuses it.
    """
    now = now or timezone.now()
    try:
        if phase == Phase.IMPLEMENTATION:
            if channel != Channel.WEB:
                raise ValueError("Opinions during implementation come through the web form.")
            check_implementation_open(consultation, now)
        elif channel == Channel.WEB:
            status = consultation.status_at(now)
            if status != Consultation.Status.OPEN:
                raise NotAcceptingOpinions(status)
        else:
            if submitted_on is None:
                raise ValueError("Offline opinions need the date they were received.")
            check_offline_date(consultation, submitted_on, after_close=channel == Channel.HEARING)
    except NotAcceptingOpinions:
        # A form stored in time and sent again after the close still gets its receipt.
        existing = _stored_with_token(consultation, token)
        if existing is not None:
            return existing, False
        raise
    text_hash = normalised_text_hash(data)
    contact, contact_ref = new_contact(data)
    for _attempt in range(3):
        submission = Submission(
            consultation=consultation,
            channel=channel,
            phase=phase,
            stance=data.stance,
            affected_status=data.affected_status,
            comment=data.comment,
            quote_consent=data.quote_consent,
            receipt=new_receipt(),
            received_at=now,
            submitted_on=submitted_on,
            text_hash=text_hash,
            idempotency_token=token,
            contact_ref=contact_ref,
            entered_by=entered_by,
        )
        try:
            insert_opinion(
                submission, contact=contact, parts=_parts(data), route_version=route_version
            )
            return submission, True
        except IntegrityError:
            existing = _stored_with_token(consultation, token)
            if existing is not None:
                return existing, False
            # Otherwise a receipt collision (60 random bits): try again with a new code.
    raise RuntimeError("Could not allocate a unique receipt code.")


def _stored_with_token(consultation: Consultation, token: uuid.UUID) -> Submission | None:
    existing = Submission.objects.filter(idempotency_token=token).first()
    if existing is not None and existing.consultation_id != consultation.pk:
        raise PermissionDenied("Form token belongs to another consultation.")
    return existing


def _ensure_editable(submission: Submission, now: datetime) -> None:
    if submission.withdrawn:
        raise NotAcceptingOpinions("withdrawn")
    status = submission.consultation.status_at(now)
    if status != Consultation.Status.OPEN:
        raise NotAcceptingOpinions(status)


def submission_update(
    *, submission: Submission, data: OpinionData, now: datetime | None = None
) -> Submission:
    """Replace the content of an opinion while the consultation is open (R44, R59).

    A new contact replaces the old one; an empty contact keeps the one given before.
    """
    now = now or timezone.now()
    with transaction.atomic():
        submission = Submission.objects.select_for_update(no_key=True).get(pk=submission.pk)
        _ensure_editable(submission, now)
        submission.stance = data.stance
        submission.affected_status = data.affected_status
        submission.comment = data.comment
        submission.quote_consent = data.quote_consent
        submission.text_hash = normalised_text_hash(data)
        if submission.moderation_state == ModerationState.SHOWN:
            # Edited text was not the text a moderator approved: review it again. Hidden stays
            # hidden, so an edit cannot bring back what a moderator took down.
            submission.moderation_state = ModerationState.PENDING
        if data.contact_email or data.contact_phone:
            old_ref = submission.contact_ref
            submission.contact_ref = store_contact(data)
            if old_ref:
                Contact.objects.filter(ref=old_ref).delete()
        submission.save()
        submission.alternative_preferences.all().delete()
        submission.answers.all().delete()
        submission.clause_comments.all().delete()
        _write_parts(submission, data)
        _mark_duplicate(submission)
    return submission


def _ensure_withdrawable(submission: Submission, now: datetime) -> None:
    """An opinion can be withdrawn while its channel is open: the consultation's until the
    close; one given during implementation while that channel is (it is never edited: its
    short form is not the consultation's form)."""
    if submission.phase != Phase.IMPLEMENTATION:
        _ensure_editable(submission, now)
        return
    if submission.withdrawn:
        raise NotAcceptingOpinions("withdrawn")
    check_implementation_open(submission.consultation, now)


def submission_withdraw(*, submission: Submission, now: datetime | None = None) -> Submission:
    """Withdraw while its channel is open (the consultation's until closing, an opinion during
    implementation while that channel is). The row stays (counted as withdrawn); the contact
    is deleted.

    The texts stay in the register as evidence, but leave analysis, coding, search, exports and
    the public pages: in this transaction the post_save receiver of ``feedback.campaigns.tasks``
    removes the opinion's signature, group membership, search vector and pending suggestions.
    The row lock is ``FOR NO KEY UPDATE``: a grouping batch that is writing rows referring to the
    opinion is not blocked by it, so the receiver can wait for that batch without a deadlock."""
    now = now or timezone.now()
    with transaction.atomic():
        submission = Submission.objects.select_for_update(no_key=True).get(pk=submission.pk)
        _ensure_withdrawable(submission, now)
        submission.withdrawn = True
        submission.withdrawn_at = now
        if submission.contact_ref:
            Contact.objects.filter(ref=submission.contact_ref).delete()
            submission.contact_ref = ""
        submission.save(update_fields=["withdrawn", "withdrawn_at", "contact_ref", "updated_at"])
    return submission


__all__ = [
    "Answer",
    "NotAcceptingOpinions",
    "OpinionData",
    "StaleRoute",
    "check_implementation_open",
    "check_offline_date",
    "normalised_text_hash",
    "submission_create",
    "submission_update",
    "submission_withdraw",
]
