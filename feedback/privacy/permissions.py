"""Who uses the privacy officer's screens: privacy officers ask for identity look-ups and keep the
register of residents' requests; a second privacy officer or a site administrator decides; only
the requester sees the contact (``feedback.permissions.can_read_contact``)."""

from __future__ import annotations

from consultations.roles import Role, is_site_admin, user_has_role


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_privacy_officer(user) -> bool:
    return _active(user) and user_has_role(user, Role.PRIVACY_OFFICER)


def can_use_privacy_screens(user) -> bool:
    """The lists, the audit trail viewer and the access log: privacy officers and site
    administrators, read only."""
    return _active(user) and (is_privacy_officer(user) or is_site_admin(user))


def can_request_identity(user) -> bool:
    return is_privacy_officer(user)


def can_decide_identity(user, identity_request) -> bool:
    """A second person: another privacy officer or a site administrator, never the requester."""
    if not can_use_privacy_screens(user):
        return False
    return identity_request.requested_by_id != user.pk


def is_requester(user, identity_request) -> bool:
    """Only the requester withdraws their request or opens the contact."""
    return is_privacy_officer(user) and identity_request.requested_by_id == user.pk


def can_keep_register(user) -> bool:
    """Recording and answering residents' requests: privacy officers."""
    return is_privacy_officer(user)
