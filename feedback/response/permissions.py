"""Who may set dispositions and submit the response: editors and approvers of the owning
department, and site administrators (the same rule as the consultation editor). Who approves
(and so publishes) it: an approver of the department or a site administrator who did not submit
it (issue 13, docs/adr/0011-two-person-actions.md)."""

from __future__ import annotations

from consultations.models import Consultation
from consultations.permissions import (
    can_publish_consultation,
    can_view_consultation_admin,
    consultations_visible_to,
)
from consultations.roles import Role, is_site_admin, user_has_role


def can_respond(user, consultation: Consultation) -> bool:
    return can_view_consultation_admin(user, consultation)


def can_approve_response(user, consultation: Consultation, response=None) -> bool:
    """Publishing authority over the consultation, and not the person who submitted it."""
    if not can_publish_consultation(user, consultation):
        return False
    submitted_by = getattr(response, "submitted_by_id", None)
    return submitted_by is None or submitted_by != getattr(user, "pk", None)


def consultations_to_respond(user):
    return consultations_visible_to(user)


def may_use_response_screens(user) -> bool:
    """Whether the response menu and list are shown at all (department scoping comes after)."""
    return is_site_admin(user) or any(
        user_has_role(user, role) for role in (Role.EDITOR, Role.APPROVER)
    )
