"""Who may set dispositions and publish the response: editors and approvers of the owning
department, and site administrators (the same rule as the consultation editor)."""

from __future__ import annotations

from consultations.models import Consultation
from consultations.permissions import can_view_consultation_admin, consultations_visible_to
from consultations.roles import Role, is_site_admin, user_has_role


def can_respond(user, consultation: Consultation) -> bool:
    return can_view_consultation_admin(user, consultation)


def consultations_to_respond(user):
    return consultations_visible_to(user)


def may_use_response_screens(user) -> bool:
    """Whether the response menu and list are shown at all (department scoping comes after)."""
    return is_site_admin(user) or any(
        user_has_role(user, role) for role in (Role.EDITOR, Role.APPROVER)
    )
