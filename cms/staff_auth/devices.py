"""The second factor's devices (django-otp): a TOTP app, and one-use recovery codes.

Every staff account has one confirmed TOTP device and one static device holding its
recovery codes. Enrolment makes an unconfirmed TOTP device, shows its secret (QR code and text)
and confirms it when the first code is right; the recovery codes are then made and shown once.
"""

from __future__ import annotations

import re
from base64 import b32encode

import segno
from django.db import transaction
from django.utils.safestring import mark_safe
from django_otp import verify_token
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_totp(user) -> TOTPDevice:
    """The unconfirmed TOTP device of an enrolment (the same one until it is confirmed, so a
    reload shows the same secret)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32 as authenticator apps ask for it, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice, title: str) -> str:
    """The device's otpauth:// URL as an inline SVG QR code (no image request, no script)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=title, svgclass="tj-otp-qr"
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup, no user input in it


def normalize(token: str) -> str:
    return re.sub(r"[\s-]", "", token or "").lower()


def is_totp_code(token: str) -> bool:
    return bool(re.fullmatch(r"\d{6}", normalize(token)))


def throttled_seconds(device) -> int:
    """Seconds until the device accepts a code again after wrong ones (0: now)."""
    allowed, info = device.verify_is_allowed()
    if allowed or not info or info.get("reason") != VerifyNotAllowed.N_FAILED_ATTEMPTS:
        return 0
    from django.utils import timezone

    until = info.get("locked_until")
    return max(1, int((until - timezone.now()).total_seconds()) + 1) if until else 1


def confirm_pending(user, token: str) -> TOTPDevice | None:
    """Confirm the enrolment when the code is right: the TOTP device, or None."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not is_totp_code(token) or not device.verify_token(normalize(token)):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device


def verify(user, token: str):
    """The device that accepts the code (TOTP code or recovery code, each accepted once), or
    None. A wrong code slows the device down (django-otp's throttling)."""
    token = normalize(token)
    if is_totp_code(token):
        device = confirmed_totp(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not token:
        return None
    return verify_token(user, device.persistent_id, token)


def blocking_device(user, token: str):
    """The device a code would be checked against (for the throttling message)."""
    if is_totp_code(token):
        return confirmed_totp(user)
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with new ones; the codes, to be shown once."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def reset(user) -> int:
    """Remove every second-factor device of the user (the next login enrols again); the count."""
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        static, _ = StaticDevice.objects.filter(user=user).delete()
    return removed + static
