"""The second-factor steps after the password: enrolment at the first login, and the code at
every login; and a new set of recovery codes for a signed-in staff member."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import django_otp
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from cms.staff_auth import activity, devices
from cms.staff_auth.forms import CodeForm


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


def _verified(request, device) -> HttpResponseRedirect | None:
    """Mark the session as having passed the second factor (a new session key)."""
    request.session.cycle_key()
    django_otp.login(request, device)
    request.session[activity.LAST_SEEN_SESSION_KEY] = int(time.time())
    return None


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def verify(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
    if user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    if not devices.is_enrolled(user):
        return HttpResponseRedirect(_with_next(reverse("staff_auth:enrol"), request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["otp_token"]
        device = devices.verify(user, token)
        if device is not None:
            _verified(request, device)
            return HttpResponseRedirect(_next_url(request))
        blocking = devices.blocking_device(user, token)
        wait = devices.throttled_seconds(blocking) if blocking else 0
        if wait:
            form.add_error(
                None,
                gettext("Too many wrong codes. Wait %(seconds)d seconds and try again.")
                % {"seconds": wait},
            )
        else:
            form.add_error(
                None,
                gettext(
                    "This code is wrong or was already used. Type the current code of your "
                    "authenticator app, or one of your unused recovery codes."
                ),
            )
        status = 400
    return render(
        request,
        "staff_auth/verify.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )


@never_cache
@sensitive_post_parameters("otp_token")
@require_http_methods(["GET", "POST"])
def enrol(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("wagtailadmin_login"))
    if devices.is_enrolled(user):
        # Enrolled already: a password alone never replaces the second factor.
        return HttpResponseRedirect(_with_next(reverse("staff_auth:verify"), request))
    device = devices.pending_totp(user)
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        confirmed = devices.confirm_pending(user, form.cleaned_data["otp_token"])
        if confirmed is not None:
            codes = devices.new_recovery_codes(user)
            _verified(request, confirmed)
            return render(
                request,
                "staff_auth/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error(
            None,
            gettext(
                "This code is not right. Check that the app shows the account of this site "
                "and type the code it shows now."
            ),
        )
        status = 400
    return render(
        request,
        "staff_auth/enrol.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr": devices.qr_svg(device, gettext("QR code for your authenticator app")),
            "secret": devices.secret_text(device),
            "issuer": device._read_str_from_settings("OTP_TOTP_ISSUER") or "",
            "account": user.get_username(),
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def own_second_factor(request):
    """A verified staff member's own second factor: since when, recovery codes left, and a
    button for new recovery codes (the old ones stop working; the new ones are shown once)."""
    user = request.user
    if not (user.is_authenticated and user.is_verified()):
        return redirect("wagtailadmin_login")
    if request.method == "GET":
        device = devices.confirmed_totp(user)
        return render(
            request,
            "staff_auth/own_second_factor.html",
            {"device": device, "codes_left": devices.recovery_codes_left(user)},
        )
    codes = devices.new_recovery_codes(user)
    return render(
        request,
        "staff_auth/recovery_codes.html",
        {"codes": codes, "next": reverse("wagtailadmin_home"), "first_time": False},
    )


def _with_next(url: str, request) -> str:
    target = request.GET.get("next") or request.POST.get("next")
    return f"{url}?{urlencode({'next': target})}" if target else url


@require_POST
def logout(request):
    """Wagtail's logout behind a POST-only gate: Wagtail's view deletes the session cookie even
    when it answers 405 to a GET, so a cross-site ``<img src=/admin/logout/>`` signed staff out.
    A GET now answers 405 and changes nothing."""
    from wagtail.admin.views.account import LogoutView

    return LogoutView.as_view()(request)
