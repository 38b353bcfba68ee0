"""Offline intake by clerks: one opinion entered by hand, the record of every entry and upload,
and the window in which receipt codes are shown (issue 12, point 5).

- **Scope.** ``feedback.permissions.can_enter_opinion``: the clerk's own department's
  consultations; the 12345 centre (``settings.INTAKE_HOTLINE_DEPARTMENTS``) also every other
  department's, for 12345 hotline opinions only.
- **Audit.** Every manual entry and every upload is one audit-chain entry
  (``AuditAction.INTAKE``, ``AuditAction.INTAKE_IMPORT``), written in the transaction that
  stores the opinions. That entry is the upload's record: its ``detail`` holds counts, the
  channel or file format, and the internal numbers of the opinions it created. Never a text, a
  contact, a file name or a receipt code.
- **Receipt codes** are shown only to the clerk who entered the opinions, on the page of that
  entry or upload (no code in any URL), until the clerk closes it or ``INTAKE_RECEIPT_HOURS``
  (24 by default) have passed. Each display and the closing are audit entries
  (``AuditAction.INTAKE_RECEIPTS``). Nothing shows the code of an opinion the clerk did not
  enter, so neither the form nor an import can be used to find or withdraw someone else's.
- **After the response.** ``check_offline_date`` refuses offline opinions once the response is
  published; the consultation row is locked while they are stored, so publishing (which locks
  it too) cannot slip between the check and the insert.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consultations.models import Consultation
from feedback.audit.trail import record
from feedback.intake.services import OpinionData, submission_create
from feedback.models import AuditAction, AuditEntry, Channel, Submission
from feedback.permissions import can_enter_opinion, is_hotline_entry

ENTRY_ACTIONS = (AuditAction.INTAKE, AuditAction.INTAKE_IMPORT)


class ChannelNotAllowed(Exception):
    """A 12345 centre clerk entering for another department used another channel."""


class FormAlreadyUsed(Exception):
    """The form's token belongs to an opinion this clerk did not enter."""


def receipt_hours() -> int:
    return int(getattr(settings, "INTAKE_RECEIPT_HOURS", 24))


def consultation_for_intake(consultation: Consultation) -> Consultation:
    """The consultation row, locked until the end of the caller's transaction.

    ``FOR NO KEY UPDATE`` waits for (and blocks) publishing the response, which locks the row
    ``FOR UPDATE``; web opinions (which only take a key-share lock through their foreign key)
    are not held up.
    """
    return Consultation.objects.select_for_update(no_key=True).get(pk=consultation.pk)


def check_channel(clerk, consultation: Consultation, channel: str) -> None:
    if is_hotline_entry(clerk, consultation) and channel != Channel.HOTLINE:
        raise ChannelNotAllowed(channel)


@dataclass
class Entered:
    submission: Submission
    entry: AuditEntry | None  # None only for an opinion stored before entries were recorded
    created: bool


def offline_opinion_enter(
    *,
    consultation: Consultation,
    clerk,
    data: OpinionData,
    token: uuid.UUID,
    channel: str,
    submitted_on: date,
) -> Entered:
    """Store one opinion typed in by ``clerk`` and its audit entry, in one transaction.

    The form's token makes a double click store one opinion; a token of an opinion that this
    clerk did not enter is refused (``FormAlreadyUsed``) without saying anything about it.
    Raises ``NotAcceptingOpinions`` (date outside the period, response published) and
    ``ChannelNotAllowed``.
    """
    check_channel(clerk, consultation, channel)
    with transaction.atomic():
        locked = consultation_for_intake(consultation)
        submission, created = submission_create(
            consultation=locked,
            data=data,
            token=token,
            channel=channel,
            submitted_on=submitted_on,
            entered_by=clerk,
        )
        if not created:
            if submission.entered_by_id != clerk.pk:
                raise FormAlreadyUsed
            entry = (
                AuditEntry.objects.filter(
                    action=AuditAction.INTAKE,
                    actor=clerk,
                    object_type="feedback.submission",
                    object_id=str(submission.pk),
                )
                .order_by("pk")
                .first()
            )
            return Entered(submission, entry, False)
        entry = record(
            clerk,
            AuditAction.INTAKE,
            consultation=locked,
            obj=submission,
            detail={
                "channel": channel,
                "opinions": [submission.pk],
                "hotline_centre": is_hotline_entry(clerk, locked),
            },
        )
    return Entered(submission, entry, True)


# -- the entry's page: whose it is, and while its receipt codes are shown --------------------


def intake_entry_for(user, entry_id: int) -> AuditEntry | None:
    """The entry or upload ``entry_id`` if ``user`` made it and may still enter opinions for
    its consultation; None otherwise (another clerk's entry is not found, not forbidden)."""
    entry = AuditEntry.objects.filter(pk=entry_id, action__in=ENTRY_ACTIONS, actor=user).first()
    if entry is None or entry.consultation_id is None:
        return None
    consultation = Consultation.objects.filter(pk=entry.consultation_id).first()
    if consultation is None or not can_enter_opinion(user, consultation):
        return None
    entry.consultation = consultation
    return entry


def receipts_closed(entry: AuditEntry) -> bool:
    return AuditEntry.objects.filter(
        action=AuditAction.INTAKE_RECEIPTS,
        actor_id=entry.actor_id,
        object_type="feedback.auditentry",
        object_id=str(entry.pk),
        detail__closed=True,
    ).exists()


def receipts_shown_until(entry: AuditEntry, now: datetime | None = None) -> datetime | None:
    """Until when the entry's receipt codes are shown; None when no longer."""
    now = now or timezone.now()
    until = entry.at + timedelta(hours=receipt_hours())
    if now >= until or receipts_closed(entry):
        return None
    return until


def entry_opinion_ids(entry: AuditEntry) -> list[int]:
    return [int(pk) for pk in entry.detail.get("opinions", [])]


def intake_receipts_show(*, clerk, entry: AuditEntry) -> list[tuple[int | None, Submission]]:
    """(row number or None, opinion) of the opinions the entry created, in order, for showing
    their receipt codes; records the display. Empty when the window is over or closed."""
    if entry.actor_id != clerk.pk or receipts_shown_until(entry) is None:
        return []
    ids = entry_opinion_ids(entry)
    by_id = Submission.objects.filter(
        pk__in=ids, consultation_id=entry.consultation_id, entered_by=clerk
    ).in_bulk()
    rows = entry.detail.get("rows_created") or [None] * len(ids)
    shown = [(row, by_id[pk]) for row, pk in zip(rows, ids, strict=False) if pk in by_id]
    if shown:
        record(
            clerk,
            AuditAction.INTAKE_RECEIPTS,
            consultation=entry.consultation_id,
            object_type="feedback.auditentry",
            object_id=str(entry.pk),
            detail={"shown": len(shown)},
        )
    return shown


def intake_receipts_close(*, clerk, entry: AuditEntry) -> None:
    """The clerk has handed the receipts over: their codes are never shown again."""
    if entry.actor_id != clerk.pk or receipts_closed(entry):
        return
    record(
        clerk,
        AuditAction.INTAKE_RECEIPTS,
        consultation=entry.consultation_id,
        object_type="feedback.auditentry",
        object_id=str(entry.pk),
        detail={"closed": True},
    )


def intake_entries_of(consultation: Consultation, clerk, limit: int = 20) -> list[AuditEntry]:
    """The clerk's own recent uploads for the consultation (newest first), for the import
    screen: after a lost connection the clerk finds the upload's report here."""
    return list(
        AuditEntry.objects.filter(
            action=AuditAction.INTAKE_IMPORT, actor=clerk, consultation_id=consultation.pk
        ).order_by("-pk")[:limit]
    )


def uploads_by_others(consultation: Consultation, clerk) -> int:
    """How many uploads other clerks made for the consultation (a count, nothing else): tells
    a clerk that a colleague may already have imported the same forms."""
    return (
        AuditEntry.objects.filter(
            action=AuditAction.INTAKE_IMPORT,
            consultation_id=consultation.pk,
            detail__created__gt=0,
        )
        .exclude(actor=clerk)
        .count()
    )


def earlier_entries(clerk, consultation: Consultation, opinion_ids: set[int]) -> list[AuditEntry]:
    """The clerk's own uploads that created any of ``opinion_ids``, oldest first (only
    uploads: a typed-in opinion's token is random and never matches a row)."""
    if not opinion_ids:
        return []
    found = []
    for entry in AuditEntry.objects.filter(
        action=AuditAction.INTAKE_IMPORT, actor=clerk, consultation_id=consultation.pk
    ).order_by("pk"):
        if opinion_ids.intersection(entry_opinion_ids(entry)):
            found.append(entry)
    return found
