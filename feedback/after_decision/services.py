"""Write paths of the channel after the decision (issue 16 point 5).

An opinion during implementation goes through the opinion register's write path
(``feedback.intake.services.submission_create`` with ``phase=IMPLEMENTATION``): one INSERT of
the opinion and its encrypted contact, the idempotency token, the receipt only after the
commit. In the same transaction the consultation row is written, so the cached public page shows
the new count (``cms.page_cache``). Opening the evaluation is ``consultations.followup``; telling
the residents is ``feedback.after_decision.notify``.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from consultations.models import Consultation
from feedback.audit.trail import record
from feedback.intake.services import OpinionData, submission_create
from feedback.models import AuditAction, Phase, Submission


def implementation_opinion_create(
    *, consultation: Consultation, data: OpinionData, token: uuid.UUID, now=None
) -> tuple[Submission, bool]:
    """Store an opinion during implementation; returns ``(submission, created)``. Raises
    ``NotAcceptingOpinions`` (nothing stored) unless the consultation is decided."""
    now = now or timezone.now()
    with transaction.atomic():
        submission, created = submission_create(
            consultation=consultation,
            data=data,
            token=token,
            now=now,
            phase=Phase.IMPLEMENTATION,
        )
        if created:
            Consultation.objects.filter(pk=consultation.pk).update(updated_at=now)
    return submission, created


def follow_up_notices_queue(*, user, consultation: Consultation, now=None) -> int:
    """Queue the notice that the evaluation opened again for the rows that failed (and make the
    missing ones); returns how many are due. The task sends each at most once."""
    from feedback.after_decision.notify import FOLLOW_UP
    from feedback.after_decision.tasks import notify_follow_up
    from feedback.response.notify import notifications_queue_again

    now = now or timezone.now()
    with transaction.atomic():
        queued = notifications_queue_again(consultation.pk, now=now, notice=FOLLOW_UP)
        record(
            user,
            AuditAction.PUBLISH,
            consultation=consultation,
            detail={"what": "follow_up_notices", "notifications": queued},
        )
        consultation_id = consultation.pk
        transaction.on_commit(lambda: notify_follow_up.enqueue(consultation_id))
    return queued
