"""Enforcement of the second factor and of the idle timeout for staff sessions.

- Every admin URL (``/admin/``) except the login, the logout, the second-factor steps, the
  password reset and the admin's JavaScript catalogue needs a session that passed the second
  factor: a password-only session is sent to the second-factor step (enrolment at the first
  login). This covers Wagtail's admin API (/admin/api/) and every staff screen (all of them are
  registered under /admin/).
- Everywhere else (documents, page previews, any view that asks ``request.user``), a session
  without the second factor, or idle for longer than the timeout, is an anonymous visitor. The
  check is lazy: a page that never asks for the user (the public pages) reads nothing.
- A staff session idle for ``STAFF_IDLE_MINUTES`` (30) is signed out at its next admin request,
  with a message on the login page. Only admin requests record activity in the session.

There is no setting or header that turns any of this off.
"""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp.middleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext

from cms.staff_auth import activity

ADMIN_PREFIX = "/admin/"
# Admin URLs open to a session without the second factor (or without any login).
OPEN_ADMIN_URL_NAMES = (
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_password_reset",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "staff_auth:verify",
    "staff_auth:enrol",
)
OPEN_ADMIN_PREFIXES = ("/admin/password_reset/",)


def _open_paths() -> tuple[str, ...]:
    paths = []
    for name in OPEN_ADMIN_URL_NAMES:
        try:
            paths.append(reverse(name))
        except Exception:  # noqa: BLE001, S112 - a URL that is not installed is not open
            continue
    return tuple(paths)


class _Unverified(AnonymousUser):
    """What a session without the second factor (or an idle one) is outside the admin."""

    otp_device = None

    def is_verified(self) -> bool:
        return False


def _effective_user(request, user):
    if user.is_authenticated and (not user.is_verified() or activity.is_idle(request.session)):
        return _Unverified()
    return user


class OTPMiddleware(django_otp.middleware.OTPMiddleware):
    """django-otp's middleware (``request.user.is_verified()``), skipped for a request without a
    session cookie: nobody is signed in there, and the public pages pay nothing for it."""

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME not in request.COOKIES and not self._is_async:
            return self.get_response(request)
        return super().__call__(request)


class StaffAuthMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._open: tuple[str, ...] | None = None

    def open_paths(self) -> tuple[str, ...]:
        if self._open is None:
            self._open = _open_paths()
        return self._open

    def __call__(self, request):
        path = request.path_info
        if not path.startswith(ADMIN_PREFIX):
            if settings.SESSION_COOKIE_NAME not in request.COOKIES:
                return self.get_response(request)  # no session: nobody is signed in
            user = request.user
            request.user = SimpleLazyObject(lambda: _effective_user(request, user))
            return self.get_response(request)
        return self._admin(request, path)

    def _admin(self, request, path):
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        if activity.is_idle(request.session):
            logout(request)
            messages.warning(
                request,
                gettext(
                    "You were signed out after %(minutes)d minutes without activity. "
                    "Please sign in again."
                )
                % {"minutes": activity.idle_seconds() // 60},
            )
            return _redirect("wagtailadmin_login", request)
        activity.touch(request.session)
        is_open = path in self.open_paths() or path.startswith(OPEN_ADMIN_PREFIXES)
        if not is_open and not user.is_verified():
            return _redirect("staff_auth:verify", request)
        return self.get_response(request)


def _redirect(name: str, request) -> HttpResponseRedirect:
    target = reverse(name)
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(target)
