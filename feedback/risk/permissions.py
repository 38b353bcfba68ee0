"""Who sees the 稳评 evidence: the risk assessor (评估主体) and site administrators."""

from __future__ import annotations

from consultations.roles import Role, is_site_admin, user_has_role


def can_assess(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user_has_role(user, Role.ASSESSOR) or is_site_admin(user)
    )
