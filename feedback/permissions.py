"""Who may do what with opinions and contacts. Roles come from ``consultations.roles``."""

from __future__ import annotations

from consultations.roles import Role, user_has_role


def can_enter_opinion(user, consultation=None) -> bool:
    """Intake clerks enter offline opinions for any consultation (12345 serves every department)."""
    return user_has_role(user, Role.INTAKE_CLERK)


def can_read_contact(user, submission=None) -> bool:
    """Only privacy officers (and the reply sender, which is not a user) read contact details."""
    return user_has_role(user, Role.PRIVACY_OFFICER)
