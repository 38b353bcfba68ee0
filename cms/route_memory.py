"""Routing rows of recent opinion-form POSTs, reused for a second (ADR 0007, point 11)."""

from __future__ import annotations

import time

# A POST of the opinion form may reuse the routing row another POST to the same form read in
# the last ROUTE_SECONDS (per process), while it says the consultation is open. Its INSERT then
# checks in the same statement that the consultation row is still the version read
# (``route_version``), and stores and counts nothing otherwise; the request is then routed
# again. What is not re-checked within that second: the site and index page (published,
# restricted), which no opinion depends on. docs/adr/0007-opinion-post-path.md, point 11.
ROUTE_SECONDS = 1.0
ROUTES_MAX = 256
_recent_routes: dict[tuple, tuple[float, tuple]] = {}


def forget_routes() -> None:
    """Forget the remembered routing rows (tests; a new process starts with none)."""
    _recent_routes.clear()


def recall(key: tuple) -> tuple | None:
    """The routing row remembered for ``key`` in the last ROUTE_SECONDS, else None."""
    seen = _recent_routes.get(key)
    if seen is not None and time.monotonic() - seen[0] < ROUTE_SECONDS:
        return seen[1]
    return None


def forget(key: tuple) -> None:
    """Forget the routing row of ``key`` (the consultation changed or closed meanwhile)."""
    _recent_routes.pop(key, None)


def remember(key: tuple, row: tuple) -> None:
    """Remember ``row`` for ``key`` from now (all rows are forgotten when there are too many)."""
    if len(_recent_routes) >= ROUTES_MAX:
        _recent_routes.clear()
    _recent_routes[key] = (time.monotonic(), row)
