"""The idle timeout of staff sessions: the time of the last staff request, kept in the session.

Only staff requests (the admin, /admin/...) write it, at most once a minute; public pages never
write a session. A session idle for longer than ``STAFF_IDLE_MINUTES`` (30) is signed out.
"""

from __future__ import annotations

import time

from django.conf import settings

LAST_SEEN_SESSION_KEY = "staff_last_seen"
# A request less than this many seconds after the last recorded one does not write the session.
WRITE_EVERY_SECONDS = 60


def idle_seconds() -> int:
    return int(getattr(settings, "STAFF_IDLE_MINUTES", 30)) * 60


def is_idle(session, now: float | None = None) -> bool:
    """True when the session's last staff request is older than the idle timeout (a session
    without a recorded request is not idle: the login records one)."""
    last = session.get(LAST_SEEN_SESSION_KEY)
    if last is None:
        return False
    now = time.time() if now is None else now
    return now - float(last) > idle_seconds()


def touch(session, now: float | None = None) -> None:
    """Record a staff request (writes the session at most once a minute)."""
    now = time.time() if now is None else now
    last = session.get(LAST_SEEN_SESSION_KEY)
    if last is None or now - float(last) >= WRITE_EVERY_SECONDS:
        session[LAST_SEEN_SESSION_KEY] = int(now)
