"""Lockouts of failed staff logins (django-axes): the address, the cool-off, the page, unlocking.

Axes counts failed logins per username and per client address separately
(``AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]``); ``AXES_FAILURE_LIMIT`` failures
within the cool-off lock the username (from every address) or the address (for every
username) until the cool-off has passed since the last failure, or until a site administrator
unlocks it. Only the staff login (/admin/login/) authenticates, so residents are never counted.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

from feedback.intake.ratelimit import client_address as trusted_client_address


def client_address(request) -> str | None:
    """The client's address as the trusted reverse proxies report it (the rate limits' rule,
    RATELIMIT_TRUSTED_PROXIES): a client cannot escape its lock with a forged X-Forwarded-For.
    ``None`` when there is no usable address."""
    raw = trusted_client_address(request)
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def cool_off(request=None) -> timedelta:
    return timedelta(minutes=int(getattr(settings, "AXES_COOLOFF_MINUTES", 30)))


def lockout_response(request, original_response=None, credentials=None):
    """The lockout page, in the admin's look and the request's language (HTTP 429)."""
    minutes = int(cool_off().total_seconds() // 60)
    return render(
        request,
        "staff_auth/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


@dataclass(frozen=True)
class Lock:
    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    last_failure: datetime
    until: datetime


def _recent_attempts():
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off())


def current_locks() -> list[Lock]:
    """Usernames and addresses locked now (as many failures as the limit within the cool-off)."""
    limit = int(settings.AXES_FAILURE_LIMIT)
    locks: list[Lock] = []
    for kind in ("username", "ip_address"):
        rows = (
            _recent_attempts()
            .exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
            .order_by("-last")
        )
        locks.extend(
            Lock(kind, str(row[kind]), row["failures"], row["last"], row["last"] + cool_off())
            for row in rows
        )
    return locks


def unlock(kind: str, value: str) -> int:
    """Forget every counted failure of the username or the address; the count of rows removed."""
    from axes.handlers.proxy import AxesProxyHandler

    if kind == "username":
        return AxesProxyHandler.reset_attempts(username=value)
    if kind == "ip_address":
        return AxesProxyHandler.reset_attempts(ip_address=value)
    raise ValueError(kind)
