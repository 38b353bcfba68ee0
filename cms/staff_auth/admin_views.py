"""The site administrators' screen of staff sign-in security: current lockouts with an unlock
button, and each staff account's second factor with a reset button. Superusers only."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.staff_auth import devices, lockout
from feedback.audit.trail import record

UNLOCK_ACTION = "login_unlock"
RESET_ACTION = "second_factor_reset"


def _require_site_administrator(request) -> None:
    if not (request.user.is_authenticated and request.user.is_superuser):
        raise PermissionDenied


@require_GET
def overview(request):
    _require_site_administrator(request)
    enrolled = dict(
        TOTPDevice.objects.filter(confirmed=True)
        .order_by("user_id", "created_at")
        .values_list("user_id", "created_at")
    )
    staff = get_user_model().objects.filter(is_active=True).order_by("username")
    accounts = [(user, enrolled.get(user.pk)) for user in staff]
    return render(
        request,
        "staff_auth/admin/overview.html",
        {
            "locks": lockout.current_locks(),
            "accounts": accounts,
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cool_off_minutes": int(lockout.cool_off().total_seconds() // 60),
        },
    )


@require_POST
def unlock(request):
    _require_site_administrator(request)
    kind = request.POST.get("kind", "")
    value = request.POST.get("value", "").strip()
    if kind not in ("username", "ip_address") or not value:
        messages.error(request, gettext("Nothing to unlock was named."))
        return redirect("staff_auth_admin:overview")
    with transaction.atomic():
        removed = lockout.unlock(kind, value)
        record(
            request.user,
            UNLOCK_ACTION,
            object_type="staff_login",
            object_id=kind,
            detail={"kind": kind, "value": value, "removed": removed},
        )
    if kind == "username":
        text = gettext("The account “%(value)s” can sign in again.")
    else:
        text = gettext("The address %(value)s can sign in again.")
    messages.success(request, text % {"value": value})
    return redirect("staff_auth_admin:overview")


@require_POST
def reset_second_factor(request, user_id: int):
    _require_site_administrator(request)
    colleague = get_object_or_404(get_user_model(), pk=user_id)
    with transaction.atomic():
        removed = devices.reset(colleague)
        record(
            request.user,
            RESET_ACTION,
            obj=colleague,
            detail={"username": colleague.get_username(), "devices_removed": removed},
        )
    messages.success(
        request,
        gettext(
            "The second factor of “%(username)s” was reset: at the next sign-in they set up "
            "their authenticator app again."
        )
        % {"username": colleague.get_username()},
    )
    return redirect("staff_auth_admin:overview")
