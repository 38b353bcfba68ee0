"""Who runs a hearing: editors and approvers of the consultation's department and site
administrators (as for the consultation itself). Publishing the report takes publishing
authority (an approver of the department or a site administrator)."""

from __future__ import annotations

from consultations.permissions import (
    can_publish_consultation,
    can_view_consultation_admin,
    consultations_visible_to,
)
from consultations.roles import Role, is_site_admin, user_has_role


def can_manage_hearing(user, consultation) -> bool:
    return can_view_consultation_admin(user, consultation)


def can_publish_hearing_report(user, consultation) -> bool:
    return can_publish_consultation(user, consultation)


def consultations_with_hearings_for(user):
    return consultations_visible_to(user)


def may_use_hearing_screens(user) -> bool:
    return is_site_admin(user) or any(
        user_has_role(user, role) for role in (Role.EDITOR, Role.APPROVER)
    )
