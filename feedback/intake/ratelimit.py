"""Cache-based rate limits keyed by a keyed hash of the truncated client address (R38, R58).

The address is cut to its /24 (IPv4) or /48 (IPv6) network and hashed with HMAC-SHA256 before
it touches the cache, so neither the cache nor the database holds an address. The hash key is
not ``SECRET_KEY`` and is never in the database: it is 32 random bytes made once per UTC day in
a private runtime folder (``RATELIMIT_KEY_DIR``, mode 0700; production: a tmpfs such as
/run/tingjian) and deleted the next day, so whoever holds a copy of the database and the
settings cannot tell which network a counter belongs to (issue 12). Counters are written in a
statement and transaction of their own, never in the opinion's, and expire with their window:
expired counters are deleted by the next counting statement (at most every ``SWEEP_SECONDS``)
and by the daily privacy task.

Limits are fixed windows; settings override the defaults as ``(max_requests, window_seconds)``
(None keeps the default; the base settings read them from the environment as ``count,seconds``):

- ``RATELIMIT_SUBMIT_PER_ADDRESS``: opinions per address network and consultation (30, 600);
  a consultation's ``opinions_per_network`` raises or lowers the count for it
- ``RATELIMIT_SUBMIT_PER_CONSULTATION``: opinions per consultation from all addresses (6000, 60)
- ``RATELIMIT_RECEIPT_PER_ADDRESS``: receipt look-ups per address network (60, 600)

Behind reverse proxies (docs/deployment.md): ``RATELIMIT_TRUSTED_PROXIES`` is the number of
proxies that append to X-Forwarded-For, and ``RATELIMIT_TRUSTED_PROXY_ADDRESSES`` the networks
they connect from. X-Forwarded-For is read only when the connection comes from a trusted proxy
address (any address when none are listed); a client that connects directly and sends its own
X-Forwarded-For is counted by its real address.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import math
import os
import secrets
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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
    return _network(client_address(request))


def client_address(request: HttpRequest) -> str:
    """The client's address as the trusted proxies tell it (REMOTE_ADDR without proxies); the
    staff login's lockouts (cms/staff_auth) count by it. A forged X-Forwarded-For is ignored."""
    raw = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "RATELIMIT_TRUSTED_PROXIES", 0) or 0)
    if proxies and _from_trusted_proxy(raw):
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            raw = hops[-proxies]
    return raw


def _from_trusted_proxy(remote_addr: str) -> bool:
    networks = _trusted_proxy_networks(
        tuple(getattr(settings, "RATELIMIT_TRUSTED_PROXY_ADDRESSES", ()))
    )
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(address in network for network in networks)


@functools.lru_cache(maxsize=8)
def _trusted_proxy_networks(addresses: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(a.strip(), strict=False) for a in addresses if a.strip())


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
    return _keyed_hash(network_key(), client_network(request))


# -- the day's key ---------------------------------------------------------------------------

_KEY_PREFIX = "network-key-"
_day_key: tuple[str, str] = ("", "")  # (UTC day, key as hex) of this process
_day_key_lock = threading.Lock()


def key_dir() -> Path:
    configured = getattr(settings, "RATELIMIT_KEY_DIR", None)
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"tingjian-ratelimit-{os.getuid()}"


def network_key(now: float | None = None) -> str:
    """The key of the current UTC day, shared by every process through a file in ``key_dir()``
    (made atomically by the first process that needs it; older days' files are deleted)."""
    global _day_key  # noqa: PLW0603 - a per-process memo, replaced whole
    day = time.strftime("%Y%m%d", time.gmtime(time.time() if now is None else now))
    if _day_key[0] == day:
        return _day_key[1]
    with _day_key_lock:
        if _day_key[0] != day:
            _day_key = (day, _read_or_make_key(day))
    return _day_key[1]


def _read_or_make_key(day: str) -> str:
    directory = key_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"{_KEY_PREFIX}{day}"
    if not path.exists():
        # Write a complete file under another name, then link it into place: a process that
        # reads the key never sees a half-written file, and only one key per day wins.
        temporary = directory / f".{_KEY_PREFIX}{day}-{secrets.token_hex(8)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
        for old in directory.glob(f"{_KEY_PREFIX}*"):
            if old.name < path.name:
                old.unlink(missing_ok=True)
    return path.read_text().strip()


def forget_network_key() -> None:
    """Forget this process's copy of the day's key (tests; a new process starts without)."""
    global _day_key  # noqa: PLW0603
    _day_key = ("", "")


def _limit(name: str) -> tuple[int, int]:
    count, window = getattr(settings, name, None) or DEFAULTS[name]
    return int(count), int(window)


Scope = tuple  # (scope, ident, setting) or (scope, ident, setting, max_count override)


def _window(setting: str, now: float, override: int | None = None) -> tuple[int, int, int]:
    max_count, window = _limit(setting)
    if override:
        max_count = int(override)
    return max_count, window, int(now // window)


def _limited(window: int, bucket: int, now: float) -> Limited:
    return Limited(retry_after=max(1, math.ceil((bucket + 1) * window - now)))


def hit(
    scope: str, ident: str, setting: str, override: int | None = None, now: float | None = None
) -> Limited | None:
    """Count one request in ``scope`` for ``ident``; a ``Limited`` when over the limit."""
    now = time.time() if now is None else now
    max_count, window, bucket = _window(setting, now, override)
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
    for i, (scope, ident, setting, *override) in enumerate(scopes):
        max_count, window, bucket = _window(setting, now, override[0] if override else None)
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


SWEEP_SECONDS = 30.0
_next_sweep = [0.0]  # time.monotonic() after which this process deletes expired counters again


def _sweep_cte(table: str) -> list[str]:
    """A CTE deleting every expired cache row (counters of ended windows among them), at most
    once per ``SWEEP_SECONDS`` per process."""
    now = time.monotonic()
    if now < _next_sweep[0]:
        return []
    _next_sweep[0] = now + SWEEP_SECONDS
    return [f"swept AS (DELETE FROM {table} WHERE expires < now())"]  # noqa: S608


def delete_expired_counters() -> int:
    """Delete the expired rows of the database cache now (the daily privacy task); the number
    deleted. Nothing to do for other cache backends, whose entries live in memory."""
    if not _database_counters():
        return 0
    backend = caches[DEFAULT_CACHE_ALIAS]
    connection = connections[router.db_for_write(backend.cache_model_class)]
    table = connection.ops.quote_name(backend._table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE expires < now()")  # noqa: S608
        return cursor.rowcount


def _hit_chain_sql(scopes: list[Scope], now: float) -> Limited | None:
    chain = counter_chain(scopes, now)
    backend = caches[DEFAULT_CACHE_ALIAS]
    connection = connections[router.db_for_write(backend.cache_model_class)]
    selects = ", ".join(f"(SELECT n FROM c{i})" for i in range(len(scopes)))  # noqa: S608
    ctes = _sweep_cte(connection.ops.quote_name(backend._table)) + chain.ctes
    sql = f"WITH {', '.join(ctes)} SELECT {selects}"  # noqa: S608
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


def submission_scopes(request: HttpRequest, consultation) -> list[Scope]:
    """The counters of an opinion POST: per network and consultation (the consultation's own
    ``opinions_per_network`` when set), then per consultation. ``consultation`` may also be
    a bare id (the site's limits then)."""
    address = hashed_network(request)
    cid = getattr(consultation, "pk", consultation)
    per_network = getattr(consultation, "opinions_per_network", None)
    return [
        ("submit-addr", f"{cid}:{address}", "RATELIMIT_SUBMIT_PER_ADDRESS", per_network),
        ("submit-cons", str(cid), "RATELIMIT_SUBMIT_PER_CONSULTATION"),
    ]


def check_submission(request: HttpRequest, consultation) -> Limited | None:
    return hit_chain(submission_scopes(request, consultation))


def check_receipt_lookup(request: HttpRequest) -> Limited | None:
    return hit_chain([("receipt", hashed_network(request), "RATELIMIT_RECEIPT_PER_ADDRESS")])
