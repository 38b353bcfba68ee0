"""Staff roles. Each role is a Django group whose name is the role's value.

A staff member's department is on their StaffProfile; scoping by department lives in
``permissions.py``. Site administrators are superusers or members of ``site_admin``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SITE_ADMIN = "site_admin", _("site administrator")
    EDITOR = "editor", _("editor")
    APPROVER = "approver", _("approver")
    ANALYST = "analyst", _("analyst")
    INTAKE_CLERK = "intake_clerk", _("intake clerk")
    PRIVACY_OFFICER = "privacy_officer", _("privacy officer")
    ASSESSOR = "assessor", _("risk assessor")


def user_roles(user) -> set[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    cached = getattr(user, "_tingjian_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True)) & set(Role.values)
        if user.is_superuser:
            cached.add(Role.SITE_ADMIN)
        user._tingjian_roles = cached
    return cached


def user_has_role(user, role: str) -> bool:
    return role in user_roles(user)


def is_site_admin(user) -> bool:
    return user_has_role(user, Role.SITE_ADMIN)


def user_department_id(user) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return user.staff_profile.department_id
    except ObjectDoesNotExist:
        return None
