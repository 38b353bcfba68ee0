"""Helpers of the staff authentication tests: accounts, the real login form, real TOTP codes."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "kettle-orbit-ferry-42"  # noqa: S105 - a test account's password
LOGIN = "/admin/login/"
VERIFY = "/admin/second-factor/"
ENROL = "/admin/second-factor/enrol/"


def make_staff(username: str, *, superuser: bool = False, enrolled: bool = True):
    """A staff account that may use the admin; with a confirmed TOTP device when enrolled."""
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=True, is_superuser=superuser
    )
    if not superuser:
        group, _ = Group.objects.get_or_create(name="staff-auth-test")
        group.permissions.add(
            Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
        )
        user.groups.add(group)
    if enrolled:
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def totp_code(device: TOTPDevice, *, step_offset: int = 0) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + step_offset * device.step
    return f"{totp.token():0{device.digits}d}"


def post_password(client, username: str, password: str = PASSWORD, address="10.1.1.1", **extra):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
        **extra,
    )


def sign_in(client, user, *, address="10.1.1.1"):
    """Password, then the current TOTP code: a fully signed-in staff session."""
    response = post_password(client, user.get_username(), address=address)
    assert response.status_code == 302, response.status_code
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post(VERIFY, {"otp_token": totp_code(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/", response
    return response


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session
