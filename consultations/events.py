"""Staff actions on consultations that the audit chain must record (issue 13).

``consultations`` may not import ``feedback`` (imports go cms → feedback → consultations), yet
the append-only audit chain lives in ``feedback.audit``. The services send ``staff_action``
inside their own transaction; ``feedback`` connects the receiver that writes the audit entry
(``feedback.audit.consultation_actions``, connected in ``FeedbackConfig.ready``). Because
the entry is written in the same transaction, a failed audit write undoes the action, and
``audit_staff_action`` refuses to act at all when no receiver is connected, so a two-person
action never happens without its trace.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

# Arguments: actor, action (a feedback.AuditAction value), consultation, obj, detail.
staff_action = Signal()


def audit_staff_action(*, actor, action: str, consultation, obj=None, detail=None) -> None:
    """Have the audit chain record ``action``; raises if nobody records it."""
    responses = staff_action.send(
        sender=type(obj) if obj is not None else None,
        actor=actor,
        action=action,
        consultation=consultation,
        obj=obj,
        detail=detail or {},
    )
    if not responses:
        raise ImproperlyConfigured(
            "No audit receiver is connected to consultations.events.staff_action."
        )
