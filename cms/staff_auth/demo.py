"""The demo accounts' second factor in development (docs/staff-accounts.md, "Demo").

``seed_demo`` gives every demo account a TOTP device when DEBUG is on, and
``manage.py demo_otp_code <username>`` (``make otp USER=<username>``) prints its current code, so
a newcomer can sign in without a phone. Both refuse unless DEBUG is on and the account is one of
the demo accounts; production (DEBUG off) has no such path.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_DEVICE_NAME = "demo"


def demo_usernames() -> set[str]:
    from cms.demo_content import USERS

    return {username for username, *_rest in USERS}


def _require_demo(user) -> None:
    if not settings.DEBUG:
        raise PermissionDenied(_("Demo codes exist only in development (DEBUG on)."))
    if user.get_username() not in demo_usernames():
        raise PermissionDenied(
            _("“%(username)s” is not a demo account; only demo accounts get demo codes.")
            % {"username": user.get_username()}
        )


def ensure_demo_device(user) -> TOTPDevice:
    """The demo account's confirmed TOTP device (made when it has none)."""
    _require_demo(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
    return device


def current_code(user) -> str:
    """The code the demo account's authenticator would show now."""
    device = ensure_demo_device(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
