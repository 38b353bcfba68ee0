"""Who exports a dossier: the approvers of the consultation's department and site
administrators (who publish for the department), like the other archive duties."""

from __future__ import annotations

from consultations.permissions import can_publish_consultation
from consultations.roles import Role, is_site_admin, user_department_id, user_has_role


def can_export_dossier(user, consultation) -> bool:
    return can_publish_consultation(user, consultation)


def may_export_some_dossier(user) -> bool:
    """For the menu: a site administrator, or an approver with a department."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_site_admin(user) or (
        user_has_role(user, Role.APPROVER) and user_department_id(user) is not None
    )
