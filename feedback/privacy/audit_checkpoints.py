"""The daily checkpoint of the audit chain (``feedback.audit.checkpoints``), taken by the
application's own task worker (``manage.py db_worker``); ``manage.py audit_checkpoint`` takes it
by hand.

``audit_checkpoint_daily`` takes today's checkpoint and queues its own next run for the next
``AUDIT_CHECKPOINT_AT`` local time (00:05 by default), like the daily purge of contacts
(``feedback.privacy.tasks``): at most one run waits in the queue (``task_enqueue_once``), and
every ``migrate`` makes sure one is queued (``post_migrate``, connected in ``feedback.apps``).
A second run on the same day changes nothing: one checkpoint per day.

It lives here, beside the purge, because the audit package sits below the shared services and
may import only the models (docs/adr/0009-feedback-packages.md); the privacy officers' audit
viewer is here too.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django_tasks import task

from feedback.audit.checkpoints import take_checkpoint
from feedback.privacy.tasks import task_enqueue_once

DEFAULT_CHECKPOINT_AT = "00:05"


def next_checkpoint_at(now: datetime | None = None) -> datetime:
    """The next ``AUDIT_CHECKPOINT_AT`` (HH:MM, local time) strictly after ``now``."""
    now = now or timezone.now()
    raw = getattr(settings, "AUDIT_CHECKPOINT_AT", DEFAULT_CHECKPOINT_AT) or DEFAULT_CHECKPOINT_AT
    hour, minute = (int(part) for part in raw.split(":"))
    local = timezone.localtime(now)
    at = time(hour, minute)
    day = local.date() if local.time() < at else local.date() + timedelta(days=1)
    return datetime.combine(day, at, tzinfo=local.tzinfo)


def checkpoint_schedule(*, now: datetime | None = None) -> bool:
    """Make sure the next daily checkpoint is queued; returns whether one was added."""
    return task_enqueue_once(audit_checkpoint_daily, run_after=next_checkpoint_at(now))


@task()
def audit_checkpoint_daily() -> dict:
    """Take today's checkpoint, then queue tomorrow's run (also when this one failed)."""
    try:
        point, created = take_checkpoint()
    finally:
        checkpoint_schedule()
    return {"day": point.day, "entries": point.entries, "created": created}


def checkpoint_schedule_after_migrate(sender=None, using="default", **kwargs) -> None:
    """``post_migrate``: queue the daily checkpoint when none is waiting (database backend)."""
    if using != "default":
        return
    try:
        checkpoint_schedule()
    except DatabaseError:
        return  # the task table is not there (migrating backwards): nothing to queue into
