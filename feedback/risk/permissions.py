"""Who sees the 稳评 evidence: the risk assessor (评估主体) and site administrators. Who confirms
a recorded level: another assessor or a site administrator, never its author. Who reads the
history of levels: the assessors, site administrators and the department's approvers."""

from __future__ import annotations

from consultations.permissions import can_publish_consultation
from consultations.roles import Role, is_site_admin, user_has_role


def can_assess(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user_has_role(user, Role.ASSESSOR) or is_site_admin(user)
    )


def can_confirm_assessment(user, change) -> bool:
    return can_assess(user) and getattr(user, "pk", None) != change.recorded_by_id


def can_see_risk_history(user, consultation) -> bool:
    return can_assess(user) or (
        user_has_role(user, Role.APPROVER) and can_publish_consultation(user, consultation)
    )
