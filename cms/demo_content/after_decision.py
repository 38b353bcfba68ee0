"""Opinions during implementation, the 稳评 chapter and the dossier (issue 16).

The school merger has the whole chain (hearing, response, decision): its 稳评 chapter is made on
demand from the data already seeded (/admin/risk-chapter/); its dossier is queued here for the
department's approver, so that a ready ZIP waits under /admin/dossier/ once the task worker ran
it (``make run`` starts one). Queued after the commit, so a seed inside a test transaction
writes no file. Opinions during implementation (issue 16 point 5) are not seeded yet.
"""

from __future__ import annotations

from django.db import transaction


def seed(users: dict) -> None:
    """Add this part of the demo; ``users`` maps demo usernames to users. Idempotent."""
    from consultations.models import Consultation, Decision
    from feedback.audit.checkpoints import take_checkpoint
    from feedback.dossier.tasks import DOSSIER_KIND, run_dossier
    from feedback.models import StaffJob

    from .decisions import SCHOOL

    school = Consultation.objects.filter(slug=SCHOOL, live=True).first()
    user = users.get("approver3") or users.get("admin")
    if school is None or user is None or not Decision.objects.filter(consultation=school).exists():
        return
    take_checkpoint()  # the dossier names the audit chain's latest checkpoint
    if StaffJob.objects.filter(kind=DOSSIER_KIND, consultation=school).exists():
        return
    job = StaffJob.objects.create(
        kind=DOSSIER_KIND, consultation=school, requested_by=user, params={"via": "demo"}
    )
    transaction.on_commit(lambda: run_dossier.enqueue(job.pk))
