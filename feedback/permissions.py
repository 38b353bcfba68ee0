"""Who may do what with opinions and contacts. Roles come from ``consultations.roles``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone

from consultations.models import Consultation, Department
from consultations.roles import Role, is_site_admin, user_department_id, user_has_role
from feedback.models import IdentityRequest


def can_enter_opinion(user, consultation=None) -> bool:
    """Intake clerks enter offline opinions for their own department's consultations only.

    Clerks of a department listed in ``settings.INTAKE_HOTLINE_DEPARTMENTS`` (the 12345 centre,
    by department slug; empty by default) may also enter for every other department's
    consultation, and there only opinions received on the 12345 hotline
    (``is_hotline_entry``). A clerk without a department enters nothing. Without
    ``consultation``: whether the clerk may enter for some consultation (menu, choose screen).
    """
    if not user_has_role(user, Role.INTAKE_CLERK):
        return False
    department_id = user_department_id(user)
    if department_id is None:
        return False
    if consultation is None or consultation.department_id == department_id:
        return True
    return is_hotline_clerk(user)


def is_hotline_clerk(user) -> bool:
    """An intake clerk of a department in ``settings.INTAKE_HOTLINE_DEPARTMENTS`` (12345)."""
    cached = getattr(user, "_tingjian_hotline", None)
    if cached is None:
        slugs = list(getattr(settings, "INTAKE_HOTLINE_DEPARTMENTS", None) or ())
        department_id = user_department_id(user)
        cached = bool(
            slugs
            and department_id is not None
            and user_has_role(user, Role.INTAKE_CLERK)
            and Department.objects.filter(pk=department_id, slug__in=slugs).exists()
        )
        user._tingjian_hotline = cached
    return cached


def is_hotline_entry(user, consultation) -> bool:
    """True when ``user`` enters for ``consultation`` only as the 12345 centre: then every
    opinion they enter or import for it must have the 12345 hotline channel."""
    return consultation.department_id != user_department_id(user) and is_hotline_clerk(user)


def can_read_contact(user, submission=None) -> bool:
    """Only the reply sender (not a user) and a privacy officer holding an identity look-up of
    this opinion that a second person approved, within its window and not yet shown, read
    contact details (``feedback.privacy.services.identity_request_reveal``)."""
    if submission is None or not user_has_role(user, Role.PRIVACY_OFFICER):
        return False
    return (
        IdentityRequest.objects.filter(
            submission=submission,
            requested_by=user,
            status=IdentityRequest.Status.APPROVED,
            revealed_at__isnull=True,
            reveal_expires_at__gt=timezone.now(),
        )
        .exclude(decided_by=user)
        .exists()
    )


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
