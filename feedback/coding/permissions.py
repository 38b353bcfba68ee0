"""Who codes: analysts of the consultation's department, and site administrators."""

from __future__ import annotations

from feedback.permissions import is_any_department_analyst, is_department_analyst


def can_code(user, consultation) -> bool:
    return is_department_analyst(user, consultation)


def can_code_anything(user) -> bool:
    """Whether the coding menu item is shown at all."""
    return is_any_department_analyst(user)
