"""Cache-based rate limits keyed by a keyed hash of the truncated client address (R38, R58).

The address is cut to its /24 (IPv4) or /48 (IPv6) network and hashed with HMAC-SHA256 under
SECRET_KEY before it touches the cache, so neither the cache nor the database holds an address.
Limits are fixed windows; settings override the defaults as ``(max_requests, window_seconds)``
(None keeps the default; the base settings read them from the environment as ``count,seconds``):

- ``RATELIMIT_SUBMIT_PER_ADDRESS``: opinions per address network and consultation (30, 600)
- ``RATELIMIT_SUBMIT_PER_CONSULTATION``: opinions per consultation from all addresses (6000, 60)
- ``RATELIMIT_RECEIPT_PER_ADDRESS``: receipt look-ups per address network (60, 600)
- ``RATELIMIT_TRUSTED_PROXIES``: number of reverse proxies in front that append to
  X-Forwarded-For (0: use REMOTE_ADDR)
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.db import connections, router
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
    return _network(raw)


# Both are pure functions of their arguments, asked again for every request from the same
# address: remembered per process (a few thousand recent addresses; nothing leaves the process).
@functools.lru_cache(maxsize=4096)
def _network(raw: str) -> str:
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


@functools.lru_cache(maxsize=4096)
def _keyed_hash(secret: str, network: str) -> str:
    return hmac.new(secret.encode(), network.encode(), hashlib.sha256).hexdigest()[:32]


def hashed_network(request: HttpRequest) -> str:
    return _keyed_hash(settings.SECRET_KEY, client_network(request))


def _limit(name: str) -> tuple[int, int]:
    count, window = getattr(settings, name, None) or DEFAULTS[name]
    return int(count), int(window)


Scope = tuple[str, str, str]  # (scope, ident, setting)


def _window(setting: str, now: float) -> tuple[int, int, int]:
    max_count, window = _limit(setting)
    return max_count, window, int(now // window)


def _limited(window: int, bucket: int, now: float) -> Limited:
    return Limited(retry_after=max(1, math.ceil((bucket + 1) * window - now)))


def hit(scope: str, ident: str, setting: str, now: float | None = None) -> Limited | None:
    """Count one request in ``scope`` for ``ident``; a ``Limited`` when over the limit."""
    now = time.time() if now is None else now
    max_count, window, bucket = _window(setting, now)
    key = f"tj-rl:{scope}:{ident}:{bucket}"
    try:
        count = cache.incr(key)
    except ValueError:  # the first request of this window (or the entry expired)
        if cache.add(key, 1, timeout=window + 5):
            count = 1
        else:  # another request created it in between
            count = cache.incr(key)
    if count > max_count:
        return _limited(window, bucket, now)
    return None


def hit_chain(scopes: list[Scope], now: float | None = None) -> Limited | None:
    """Count in each scope in turn; a request refused by one limit is not counted in the next.

    With the database cache on PostgreSQL all counters move in one statement; other cache
    backends use their own atomic ``incr``.
    """
    now = time.time() if now is None else now
    if _database_counters():
        return _hit_chain_sql(scopes, now)
    for scope in scopes:
        limited = hit(*scope, now=now)
        if limited:
            return limited
    return None


def _database_counters() -> bool:
    from django.core.cache.backends.db import DatabaseCache

    backend = caches[DEFAULT_CACHE_ALIAS]
    if not isinstance(backend, DatabaseCache):
        return False
    return connections[router.db_for_write(backend.cache_model_class)].vendor == "postgresql"


# One upsert per scope, chained: each counts only when the previous one is within its limit.
# The counters are plain integers in the cache table's text column, under their own key prefix
# ("tj-rlc:"), so they never meet a pickled value; each window has its own key and expiry,
# and the cache's normal culling removes the expired ones.
_UPSERT = (
    "INSERT INTO {table} (cache_key, value, expires) {source} "
    "ON CONFLICT (cache_key) DO UPDATE SET value = ({table}.value::bigint + 1)::text "
    "RETURNING value::bigint AS n"
)


@dataclass(frozen=True)
class CounterChain:
    """The counters of a chain of scopes as CTEs ``c0``, ``c1``… of one statement, each with
    a column ``n`` (NULL when an earlier counter was over its limit), for a statement of the
    caller's (the opinion INSERT adds its row only when every counter is within its limit)."""

    ctes: list[str]
    params: list
    windows: list[tuple[int, int, int]]  # (max_count, window, bucket) per counter
    now: float

    def within_limits_sql(self) -> tuple[str, list]:
        """A condition that holds when every counter is within its limit."""
        parts = [f"(SELECT n FROM c{i}) <= %s" for i in range(len(self.windows))]  # noqa: S608
        return " AND ".join(parts), [max_count for max_count, _w, _b in self.windows]

    def verdict(self, counts) -> Limited | None:
        for count, (max_count, window, bucket) in zip(counts, self.windows, strict=True):
            if count is None or count > max_count:
                return _limited(window, bucket, self.now)
        return None


def counter_chain(
    scopes: list[Scope], now: float | None = None, *, gate: str = ""
) -> CounterChain | None:
    """``scopes``' counters as CTEs for one SQL statement; None unless the counters live in
    the database cache on PostgreSQL (other backends count through the cache API).

    With a ``gate`` (a boolean SQL expression over CTEs the statement defines before these),
    nothing is counted when it is false: the first counter is not written, so none is."""
    if not _database_counters():
        return None
    now = time.time() if now is None else now
    backend = caches[DEFAULT_CACHE_ALIAS]
    connection = connections[router.db_for_write(backend.cache_model_class)]
    table = connection.ops.quote_name(backend._table)
    ctes, params, windows = [], [], []
    for i, (scope, ident, setting) in enumerate(scopes):
        max_count, window, bucket = _window(setting, now)
        key = backend.make_and_validate_key(f"tj-rlc:{scope}:{ident}:{bucket}")
        expires = datetime.fromtimestamp((bucket + 1) * window + 5, tz=UTC)
        if i == 0 and gate:
            source, args = f"SELECT %s, '1', %s::timestamptz WHERE {gate}", [key, expires]
        elif i == 0:
            source, args = "VALUES (%s, '1', %s::timestamptz)", [key, expires]
        else:
            # Only loop indexes go into the text; values are parameters.
            source = f"SELECT %s, '1', %s::timestamptz FROM c{i - 1} WHERE c{i - 1}.n <= %s"  # noqa: S608
            args = [key, expires, windows[-1][0]]
        ctes.append(f"c{i} AS ({_UPSERT.format(table=table, source=source)})")
        params += args
        windows.append((max_count, window, bucket))
    return CounterChain(ctes, params, windows, now)


def _hit_chain_sql(scopes: list[Scope], now: float) -> Limited | None:
    chain = counter_chain(scopes, now)
    backend = caches[DEFAULT_CACHE_ALIAS]
    connection = connections[router.db_for_write(backend.cache_model_class)]
    selects = ", ".join(f"(SELECT n FROM c{i})" for i in range(len(scopes)))  # noqa: S608
    sql = f"WITH {', '.join(chain.ctes)} SELECT {selects}"  # noqa: S608
    params = chain.params
    # A counter need not survive a crash, so its commit does not wait for the disk (the
    # opinion's own commit always does). SET LOCAL lasts only for this statement's implicit
    # transaction: used only outside any transaction block, with client-side binding (Django's
    # default), which lets both statements go in one round trip.
    connection.ensure_connection()
    no_wait = (
        connection.get_autocommit()
        and not connection.in_atomic_block
        and not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")
    )
    with connection.cursor() as cursor:
        if no_wait:
            cursor.execute(f"SET LOCAL synchronous_commit TO OFF; {sql}", params)
            cursor.nextset()
        else:
            cursor.execute(sql, params)
        counts = cursor.fetchone()
    for count, (max_count, window, bucket) in zip(counts, chain.windows, strict=True):
        if count is not None and count > max_count:
            return _limited(window, bucket, now)
    return None


def submission_scopes(request: HttpRequest, consultation_id: int) -> list[Scope]:
    address = hashed_network(request)
    return [
        ("submit-addr", f"{consultation_id}:{address}", "RATELIMIT_SUBMIT_PER_ADDRESS"),
        ("submit-cons", str(consultation_id), "RATELIMIT_SUBMIT_PER_CONSULTATION"),
    ]


def check_submission(request: HttpRequest, consultation_id: int) -> Limited | None:
    return hit_chain(submission_scopes(request, consultation_id))


def check_receipt_lookup(request: HttpRequest) -> Limited | None:
    return hit_chain([("receipt", hashed_network(request), "RATELIMIT_RECEIPT_PER_ADDRESS")])
