"""Write the audit entries of staff actions taken in ``consultations`` (issue 13).

``consultations.events.staff_action`` is sent by the consultation services (withdrawal
requests, confirmations, refusals) inside their transaction; this receiver appends the entry
through ``feedback.audit.trail.record``, the only writer of the chain. Connected once in
``FeedbackConfig.ready``.
"""

from __future__ import annotations

from consultations.events import staff_action
from feedback.audit.trail import record
from feedback.models import AuditAction


def _record_staff_action(sender, *, actor, action, consultation, obj=None, detail=None, **kwargs):
    return record(actor, AuditAction(action), consultation=consultation, obj=obj, detail=detail)


def connect() -> None:
    staff_action.connect(_record_staff_action, dispatch_uid="feedback_audit_consultation_actions")
