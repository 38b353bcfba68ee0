"""Delete reply contacts when their time is up (R39; PIPL Art. 19: the shortest time needed).

A contact exists only to tell the resident that the response is published. It is deleted:

- ``CONTACT_RETENTION_DAYS`` (90) after the consultation's response was published, whenever
  it was given: a contact added after the response (a late offline opinion) or after an
  earlier purge goes on the next daily run;
- when no response has been published, ``CONTACT_MAX_DAYS_AFTER_CLOSE`` (180) after the
  consultation closed: the hard maximum stated in the privacy notice;
- at once when nothing refers to it any more (an orphan).

An opinion given during the decision's implementation (issue 16 point 5) keeps its contact
only to be told when a post-decision evaluation opens: it is deleted
``CONTACT_MAX_DAYS_AFTER_CLOSE`` (180) days after the opinion was received.

A hearing registration's contact (issue 16) follows the same rules, counted from the hearing:
``CONTACT_RETENTION_DAYS`` after its report was published, or ``CONTACT_MAX_DAYS_AFTER_CLOSE``
after the hearing when no report was published (``purge_hearing_contacts``).

A withdrawn opinion drops its contact when it is withdrawn (``feedback.intake.services``).
Deleting clears ``Submission.contact_ref``, so no opinion points to a contact. Opinions, their
counts and the notification rows stay. Each consultation purged writes one ``contact_purge``
audit entry with the numbers only. Safe to run at any time, twice, or in two processes at once:
the opinions' rows are locked while their contacts are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from feedback.audit.trail import record
from feedback.models import (
    AuditAction,
    ConsultationResponse,
    Contact,
    Hearing,
    HearingRegistration,
    Phase,
    Submission,
)

RETENTION_DAYS = 90
MAX_DAYS_AFTER_CLOSE = 180
REASON_RESPONSE = "response_published"
REASON_NO_RESPONSE = "no_response"
REASON_IMPLEMENTATION = "implementation_received"


def retention_days() -> int:
    return int(getattr(settings, "CONTACT_RETENTION_DAYS", RETENTION_DAYS))


def max_days_after_close() -> int:
    return int(getattr(settings, "CONTACT_MAX_DAYS_AFTER_CLOSE", MAX_DAYS_AFTER_CLOSE))


@dataclass
class PurgeResult:
    consultations: list[tuple[int, int, str]] = field(default_factory=list)
    """(consultation id, contacts deleted, reason) for each consultation purged."""
    orphans: int = 0
    hearings: list[tuple[int, int]] = field(default_factory=list)
    """(hearing id, contacts deleted) for each hearing whose registrations' contacts went."""

    @property
    def deleted(self) -> int:
        return (
            sum(n for _cid, n, _reason in self.consultations)
            + self.orphans
            + sum(n for _hid, n in self.hearings)
        )


def due_submissions(*, now: datetime, days: int, days_after_close: int):
    """Opinions whose contact is due for deletion at ``now``."""
    published = Q(consultation__opinion_response__published_at__lte=now - timedelta(days=days))
    never_answered = Q(
        consultation__opinion_response__published_at__isnull=True,
        consultation__closes_at__lte=now - timedelta(days=days_after_close),
    )
    implementation = Q(
        phase=Phase.IMPLEMENTATION, received_at__lte=now - timedelta(days=days_after_close)
    )
    return (
        Submission.objects.exclude(contact_ref="")
        .filter((Q(phase=Phase.CONSULTATION) & (published | never_answered)) | implementation)
        .order_by()
    )


def _purge_consultation(consultation_id: int, *, now, reason: str, days: int, due) -> int:
    """Delete the contacts of ``due`` (opinions of one consultation and one phase)."""
    with transaction.atomic():
        # Locks the rows; a second purge running at the same time waits here and then finds
        # their contact_ref already cleared.
        rows = list(
            due.select_for_update(of=("self",))
            .filter(consultation_id=consultation_id)
            .exclude(contact_ref="")
            .values_list("pk", "contact_ref")
        )
        if not rows:
            return 0
        refs = [ref for _pk, ref in rows]
        deleted, _ = Contact.objects.filter(ref__in=refs).delete()
        cleared = Submission.objects.filter(pk__in=[pk for pk, _ref in rows]).update(contact_ref="")
        response = ConsultationResponse.objects.filter(consultation_id=consultation_id).first()
        if response is not None and reason == REASON_RESPONSE:
            ConsultationResponse.objects.filter(pk=response.pk).update(contacts_purged_at=now)
        record(
            None,
            AuditAction.CONTACT_PURGE,
            consultation=consultation_id,
            obj=response,
            object_type="" if response else "consultations.consultation",
            object_id="" if response else str(consultation_id),
            detail={
                "contacts_deleted": deleted,
                "opinions_cleared": cleared,
                "reason": reason,
                "days": days,
            },
        )
        return deleted


def purge_orphan_contacts() -> int:
    """Contacts no opinion and no hearing registration refers to: deleted."""
    referenced = Submission.objects.exclude(contact_ref="").values("contact_ref")
    registered = HearingRegistration.objects.exclude(contact_ref="").values("contact_ref")
    deleted, _ = Contact.objects.exclude(ref__in=referenced).exclude(ref__in=registered).delete()
    return deleted


def purge_hearing_contacts(*, now: datetime, days: int, days_after_close: int) -> list:
    """Hearing registrations' contacts (issue 16), on the opinions' rules: ``days`` after the
    hearing report was published, or ``days_after_close`` after the hearing when no report
    was published. Returns (hearing id, contacts deleted) per hearing purged."""
    due = Hearing.objects.filter(
        Q(report_published_at__lte=now - timedelta(days=days))
        | Q(report_published_at__isnull=True, starts_at__lte=now - timedelta(days=days_after_close))
    ).filter(registrations__contact_ref__gt="")
    done = []
    for hearing_id in sorted(set(due.values_list("pk", flat=True))):
        with transaction.atomic():
            rows = list(
                HearingRegistration.objects.select_for_update()
                .filter(hearing_id=hearing_id)
                .exclude(contact_ref="")
                .values_list("pk", "contact_ref")
            )
            if not rows:
                continue
            deleted, _ = Contact.objects.filter(ref__in=[ref for _pk, ref in rows]).delete()
            HearingRegistration.objects.filter(pk__in=[pk for pk, _ref in rows]).update(
                contact_ref=""
            )
            hearing = Hearing.objects.get(pk=hearing_id)
            Hearing.objects.filter(pk=hearing_id).update(contacts_purged_at=now)
            record(
                None,
                AuditAction.CONTACT_PURGE,
                consultation=hearing.consultation_id,
                obj=hearing,
                detail={"contacts_deleted": deleted, "registrations_cleared": len(rows)},
            )
            done.append((hearing_id, deleted))
    return done


def purge_contacts(
    *,
    now: datetime | None = None,
    days: int | None = None,
    days_after_close: int | None = None,
) -> PurgeResult:
    """Delete every contact that is due; returns what was deleted, per consultation."""
    now = now or timezone.now()
    days = retention_days() if days is None else days
    days_after_close = max_days_after_close() if days_after_close is None else days_after_close
    due = due_submissions(now=now, days=days, days_after_close=days_after_close)
    groups = sorted(set(due.values_list("consultation_id", "phase")))
    answered = set(
        ConsultationResponse.objects.filter(
            consultation_id__in={cid for cid, _phase in groups}, published_at__isnull=False
        ).values_list("consultation_id", flat=True)
    )
    result = PurgeResult()
    for consultation_id, phase in groups:
        if phase == Phase.IMPLEMENTATION:
            reason = REASON_IMPLEMENTATION
        else:
            reason = REASON_RESPONSE if consultation_id in answered else REASON_NO_RESPONSE
        deleted = _purge_consultation(
            consultation_id,
            now=now,
            reason=reason,
            days=days if reason == REASON_RESPONSE else days_after_close,
            due=due.filter(phase=phase),
        )
        if deleted:
            result.consultations.append((consultation_id, deleted, reason))
    result.hearings = purge_hearing_contacts(now=now, days=days, days_after_close=days_after_close)
    result.orphans = purge_orphan_contacts()
    return result
