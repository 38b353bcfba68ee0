"""Who may do what with opinions and contacts. Roles come from ``consultations.roles``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from consultations.models import Consultation
from consultations.roles import Role, is_site_admin, user_department_id, user_has_role


def can_enter_opinion(user, consultation=None) -> bool:
    """Intake clerks enter offline opinions for any consultation (12345 serves every department)."""
    return user_has_role(user, Role.INTAKE_CLERK)


def can_read_contact(user, submission=None) -> bool:
    """Only privacy officers (and the reply sender, which is not a user) read contact details."""
    return user_has_role(user, Role.PRIVACY_OFFICER)


def is_department_analyst(user, consultation) -> bool:
    """Analysts of the consultation's department, and site administrators: who codes opinions
    and decides on campaign groups."""
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


def is_any_department_analyst(user) -> bool:
    """Whether ``is_department_analyst`` can hold for some consultation (menu items)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return is_site_admin(user) or (
        user_has_role(user, Role.ANALYST) and user_department_id(user) is not None
    )


# -- analysis and exports (R53) ------------------------------------------------------------


EXACT = "exact"
SUPPRESSED = "suppressed"


def analysis_access(user, consultation) -> str | None:
    """``"exact"``, ``"suppressed"`` or None (no access), see the table in ``feedback.dashboard.views``."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return None
    own_department = user_department_id(user) == consultation.department_id
    if own_department and user_has_role(user, Role.ANALYST):
        return EXACT
    if is_site_admin(user) or user_has_role(user, Role.ANALYST):
        return SUPPRESSED
    if own_department and (user_has_role(user, Role.EDITOR) or user_has_role(user, Role.APPROVER)):
        return SUPPRESSED
    return None


def can_see_any_analysis(user) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return any(
        user_has_role(user, role)
        for role in (Role.ANALYST, Role.SITE_ADMIN, Role.EDITOR, Role.APPROVER)
    )


def can_export_register(user, consultation) -> bool:
    """Record-level (de-identified) data stays with the owning department's analysts."""
    return analysis_access(user, consultation) == EXACT


def analysis_consultation(request, consultation_id: int) -> tuple[Consultation, str]:
    consultation = get_object_or_404(Consultation.objects.published(), pk=consultation_id)
    access = analysis_access(request.user, consultation)
    if access is None:
        raise PermissionDenied
    return consultation, access
