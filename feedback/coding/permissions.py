"""Who codes: analysts of the consultation's department, and site administrators."""

from __future__ import annotations

from consultations.roles import Role, is_site_admin, user_department_id, user_has_role


def can_code(user, consultation) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if is_site_admin(user):
        return True
    department_id = user_department_id(user)
    return (
        user_has_role(user, Role.ANALYST)
        and department_id is not None
        and department_id == consultation.department_id
    )


def can_code_anything(user) -> bool:
    """Whether the coding menu item is shown at all."""
    return is_site_admin(user) or (
        user_has_role(user, Role.ANALYST) and user_department_id(user) is not None
    )
