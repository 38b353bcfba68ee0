"""The daily purge of reply contacts, run by the application's own task worker (``manage.py
db_worker``); cron with ``manage.py purge_contacts`` is optional.

``contacts_purge_daily`` purges (``feedback.privacy.retention``) and then queues its own next
run for the next ``CONTACT_PURGE_AT`` local time (03:15 by default). At most one run waits in
the queue: ``purge_schedule`` takes a transaction-level advisory lock and adds a row only when
none is waiting, so two runs at once, a run started by hand or a second ``migrate`` add none.
``migrate`` (a ``post_migrate`` receiver, connected in ``feedback.apps``) makes sure one is
queued, so a fresh deployment or an emptied queue gets its purge back.

``task_enqueue_once`` is that "at most one waiting row" for any task of the database backend;
the notification retries of ``feedback.response.tasks`` use it too.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from feedback.privacy.retention import purge_contacts

DEFAULT_PURGE_AT = "03:15"


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def task_enqueue_once(task_obj, *args, run_after: datetime) -> bool:
    """Queue ``task_obj(*args)`` to run at ``run_after`` unless a run of it with the same
    arguments is already waiting (one due earlier is kept; a later one is moved earlier).
    Returns whether the queue changed. Backends that cannot run a task later (the immediate
    backend of the tests) queue nothing."""
    backend = task_obj.get_backend()
    if not backend.supports_defer:
        return False
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(backend, DatabaseBackend):
        task_obj.using(run_after=run_after).enqueue(*args)
        return True
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    args_kwargs = {"args": list(args), "kwargs": {}}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)", [_lock_key(f"{task_obj.module_path}{args}")]
            )
        waiting = DBTaskResult.objects.filter(
            task_path=task_obj.module_path,
            backend_name=backend.alias,
            status=TaskResultStatus.READY,
            args_kwargs=args_kwargs,
        )
        if waiting.filter(Q(run_after__lte=run_after) | Q(run_after=get_date_max())).exists():
            return False
        if waiting.exists():
            waiting.update(run_after=run_after)
            return True
        task_obj.using(run_after=run_after).enqueue(*args)
    return True


def next_purge_at(now: datetime | None = None) -> datetime:
    """The next ``CONTACT_PURGE_AT`` (HH:MM, local time) strictly after ``now``."""
    now = now or timezone.now()
    hour, minute = (
        int(part) for part in getattr(settings, "CONTACT_PURGE_AT", DEFAULT_PURGE_AT).split(":")
    )
    local = timezone.localtime(now)
    at = time(hour, minute)
    day = (
        local.date()
        if local.timetz().replace(tzinfo=None) < at
        else local.date() + timedelta(days=1)
    )
    return datetime.combine(day, at, tzinfo=local.tzinfo)


def purge_schedule(*, now: datetime | None = None) -> bool:
    """Make sure the next daily purge is queued; returns whether one was added."""
    return task_enqueue_once(contacts_purge_daily, run_after=next_purge_at(now))


@task()
def contacts_purge_daily() -> dict:
    """Purge the contacts that are due, then queue tomorrow's run (also when the purge failed)."""
    try:
        result = purge_contacts()
    finally:
        purge_schedule()
    return {"consultations": len(result.consultations), "contacts_deleted": result.deleted}


def purge_schedule_after_migrate(sender=None, using="default", **kwargs) -> None:
    """``post_migrate``: queue the daily purge when none is waiting (database backend only)."""
    if using != "default":
        return
    try:
        purge_schedule()
    except DatabaseError:
        # The task table is not there (migrating backwards): nothing to queue into.
        return
