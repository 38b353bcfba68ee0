"""Cache-based rate limits keyed by a keyed hash of the truncated client address (R38, R58).

The address is cut to its /24 (IPv4) or /48 (IPv6) network and hashed with HMAC-SHA256 under
SECRET_KEY before it touches the cache, so neither the cache nor the database holds an address.
Limits are fixed windows; settings override the defaults as ``(max_requests, window_seconds)``:

- ``RATELIMIT_SUBMIT_PER_ADDRESS``: opinions per address network and consultation (30, 600)
- ``RATELIMIT_SUBMIT_PER_CONSULTATION``: opinions per consultation from all addresses (6000, 60)
- ``RATELIMIT_RECEIPT_PER_ADDRESS``: receipt look-ups per address network (60, 600)
- ``RATELIMIT_TRUSTED_PROXIES``: number of reverse proxies in front that append to
  X-Forwarded-For (0: use REMOTE_ADDR)
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

DEFAULTS = {
    "RATELIMIT_SUBMIT_PER_ADDRESS": (30, 600),
    "RATELIMIT_SUBMIT_PER_CONSULTATION": (6000, 60),
    "RATELIMIT_RECEIPT_PER_ADDRESS": (60, 600),
}


@dataclass(frozen=True)
class Limited:
    """A limit that was hit, with the seconds until the window resets."""

    retry_after: int


def client_network(request: HttpRequest) -> str:
    """The client's /24 or /48 network as text; ``unknown`` when the address is unusable."""
    raw = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "RATELIMIT_TRUSTED_PROXIES", 0) or 0)
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            raw = hops[-proxies]
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def hashed_network(request: HttpRequest) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, client_network(request).encode(), hashlib.sha256).hexdigest()[:32]


def _limit(name: str) -> tuple[int, int]:
    count, window = getattr(settings, name, DEFAULTS[name])
    return int(count), int(window)


def hit(scope: str, ident: str, setting: str, now: float | None = None) -> Limited | None:
    """Count one request in ``scope`` for ``ident``; a ``Limited`` when over the limit."""
    max_count, window = _limit(setting)
    now = time.time() if now is None else now
    bucket = int(now // window)
    key = f"tj-rl:{scope}:{ident}:{bucket}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    if count > max_count:
        return Limited(retry_after=max(1, math.ceil((bucket + 1) * window - now)))
    return None


def check_submission(request: HttpRequest, consultation_id: int) -> Limited | None:
    address = hashed_network(request)
    limited = hit(
        "submit-addr", f"{consultation_id}:{address}", "RATELIMIT_SUBMIT_PER_ADDRESS"
    ) or hit("submit-cons", str(consultation_id), "RATELIMIT_SUBMIT_PER_CONSULTATION")
    return limited


def check_receipt_lookup(request: HttpRequest) -> Limited | None:
    return hit("receipt", hashed_network(request), "RATELIMIT_RECEIPT_PER_ADDRESS")
