"""The task worker that survives faults: django-tasks-db's worker with a lease and a reconnect
loop (``manage.py db_worker``, cms/management/commands/db_worker.py; docs/reliability.md).

**Lease.** Every worker keeps a heartbeat row (``feedback.models.TaskWorker``) and renews it
from a thread of its own every ``TASK_LEASE_SECONDS / 4`` seconds, also while a long task runs.
The same thread, in every worker, looks for tasks left "running" by a worker whose heartbeat is
older than ``TASK_LEASE_SECONDS`` (killed with ``kill -9``, out of memory, machine lost): such a
task goes back to the queue (READY), or is marked FAILED with a clear message once it has been
claimed ``TASK_MAX_ATTEMPTS`` times. The attempts are the library's own ``worker_ids`` (every
claim appends the claiming worker), so its table gets no column of ours. The rows are taken
with ``SELECT … FOR UPDATE SKIP LOCKED``: several workers reaping at once never touch the same
task twice. A worker finishes a task only while the task is still its own: a worker that lost
its lease (its task was given to another) drops its result instead of overwriting the other's.

**Reconnect.** A lost database (``OperationalError``/``InterfaceError``: restart, failover,
network) no longer ends the worker's loop: it closes the connection, logs once, tries again
after 0.5 s, 1 s, 2 s … at most ``TASK_RECONNECT_MAX_SECONDS`` apart, logs once when the
database is back, puts the task it was running back in the queue and carries on with the
tasks that piled up meanwhile.

Tasks may therefore run more than once (a lease expires while a worker is cut off, a worker dies
after the work but before it recorded the result): every task of the project is written to be
safe to run twice (feedback/tests/test_task_faults.py).
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models.functions import Now
from django.utils import timezone
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from feedback.models import TaskWorker

log = logging.getLogger("tingjian.tasks")

DATABASE_LOST = (OperationalError, InterfaceError)
FIRST_RETRY_SECONDS = 0.5
WORKER_ROWS_KEPT = timedelta(days=1)  # heartbeats of workers gone for good are then deleted


class WorkerLost(Exception):
    """The error recorded for a task whose worker stopped ``TASK_MAX_ATTEMPTS`` times."""


def lease_seconds() -> float:
    return max(1.0, float(getattr(settings, "TASK_LEASE_SECONDS", 60)))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "TASK_MAX_ATTEMPTS", 3)))


def reconnect_max_seconds() -> float:
    return max(FIRST_RETRY_SECONDS, float(getattr(settings, "TASK_RECONNECT_MAX_SECONDS", 30)))


# --- heartbeats and the reaper -------------------------------------------------------------------


def heartbeat(worker_id: str) -> None:
    """Renew ``worker_id``'s heartbeat (database time), creating its row the first time."""
    if not TaskWorker.objects.filter(worker_id=worker_id).update(seen_at=Now()):
        TaskWorker.objects.create(
            worker_id=worker_id,
            hostname=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=Now(),
            seen_at=Now(),
        )


def worker_forget(worker_id: str) -> None:
    TaskWorker.objects.filter(worker_id=worker_id).delete()


def _lost_message(attempts: int) -> str:
    return (
        f"The task worker stopped while running this task {attempts} times (killed, out of "
        f"memory or its machine lost); it is not tried again (TASK_MAX_ATTEMPTS={max_attempts()})."
    )


def _give_up(row: DBTaskResult, message: str, exception_path: str) -> None:
    row.status = TaskResultStatus.FAILED
    row.finished_at = timezone.now()
    row.return_value = None
    row.exception_class_path = exception_path
    row.traceback = f"{exception_path}: {message}\n"
    row.save(
        update_fields=["status", "finished_at", "return_value", "exception_class_path", "traceback"]
    )


def _requeue(row: DBTaskResult) -> None:
    row.status = TaskResultStatus.READY
    row.started_at = None
    row.save(update_fields=["status", "started_at"])


@dataclass
class Reaped:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _settle(rows, reaped: Reaped, why: str) -> list[DBTaskResult]:
    """Requeue each row, or fail it when its attempts are used up; returns the failed rows."""
    failed = []
    for row in rows:
        attempts = len(row.worker_ids)
        if attempts >= max_attempts():
            _give_up(row, _lost_message(attempts), f"{__name__}.WorkerLost")
            reaped.failed.append(str(row.pk))
            failed.append(row)
            log.error(
                "task %s (%s) failed: its worker stopped %d times", row.pk, row.task_path, attempts
            )
        else:
            _requeue(row)
            reaped.requeued.append(str(row.pk))
            log.warning(
                "task %s (%s) queued again: %s (attempt %d of %d done)",
                row.pk,
                row.task_path,
                why,
                attempts,
                max_attempts(),
            )
    return failed


def _announce_failed(rows: list[DBTaskResult]) -> None:
    """``task_finished`` for tasks failed here, as the worker sends it for the others, so that
    a task's own receiver can record the failure (e.g. the export's job, feedback.exports)."""
    for row in rows:
        try:
            task_result = row.task_result
            sender = type(row.task.get_backend())
        except (ImportError, SuspiciousOperation):
            continue
        try:
            task_finished.send(sender=sender, task_result=task_result)
        except Exception:
            log.exception("a receiver of task_finished failed for task %s", row.pk)


def reap(*, lease: float | None = None) -> Reaped:
    """Put back in the queue (or fail) the tasks left running by workers whose heartbeat is
    older than the lease. Safe in any number of workers at once."""
    lease_td = timedelta(seconds=lease if lease is not None else lease_seconds())
    reaped = Reaped()
    with transaction.atomic():
        alive = set(
            TaskWorker.objects.filter(seen_at__gte=Now() - lease_td).values_list(
                "worker_id", flat=True
            )
        )
        # Started within the lease: its worker was alive a moment ago (this also gives a worker
        # without heartbeats, such as the library's own, one lease before its task is taken).
        candidates = (
            DBTaskResult.objects.running()
            .filter(started_at__lt=timezone.now() - lease_td)
            .select_for_update(skip_locked=True)
            .order_by("started_at")
        )
        orphans = [r for r in candidates if not r.worker_ids or r.worker_ids[-1] not in alive]
        failed = _settle(orphans, reaped, "its worker stopped renewing its lease")
        TaskWorker.objects.filter(seen_at__lt=Now() - max(WORKER_ROWS_KEPT, 10 * lease_td)).delete()
    _announce_failed(failed)
    return reaped


def requeue_own(worker_id: str) -> Reaped:
    """After a lost connection: the tasks this worker was running go back to the queue."""
    reaped = Reaped()
    with transaction.atomic():
        rows = [
            r
            for r in DBTaskResult.objects.running().select_for_update(skip_locked=True)
            if r.worker_ids and r.worker_ids[-1] == worker_id
        ]
        failed = _settle(rows, reaped, "its worker lost the database while running it")
    _announce_failed(failed)
    return reaped


# --- the worker --------------------------------------------------------------------------------


class LeasedWorker(Worker):
    """django-tasks-db's ``Worker`` with a heartbeat, a reaper and a reconnect loop."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lease = lease_seconds()
        self._stopping = threading.Event()
        self._heart: threading.Thread | None = None
        self.outages = 0  # how many times the database was lost (tests, logs)

    # the loop

    def run(self) -> None:
        _schedule_periodic()
        try:
            while True:
                try:
                    heartbeat(self.worker_id)
                    self._start_heartbeat()
                    reap(lease=self.lease)
                    requeue_own(self.worker_id)  # after a lost connection: ours, not running
                    super().run()
                    return
                except DATABASE_LOST as exc:
                    if not self.running:
                        return
                    self.startup_delay = False
                    self._wait_for_database(exc)
        finally:
            self._stop_heartbeat()

    def _wait_for_database(self, exc: BaseException) -> None:
        """Close the connection and try again with a growing pause until the database answers;
        logs once when it is lost and once when it is back."""
        self.outages += 1
        started = time.monotonic()
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        log.warning(
            "worker %s lost the database (%s: %s); reconnecting, at most every %.0f s",
            self.worker_id,
            type(exc).__name__,
            first_line[:200],
            reconnect_max_seconds(),
        )
        delay = FIRST_RETRY_SECONDS
        tries = 0
        while self.running:
            connection.close_if_unusable_or_obsolete()
            _close_quietly()
            time.sleep(delay)
            tries += 1
            try:
                connection.ensure_connection()
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                break
            except DATABASE_LOST:
                delay = min(delay * 2, reconnect_max_seconds())
        log.warning(
            "worker %s has the database again after %.1f s (%d tries); running the queued tasks",
            self.worker_id,
            time.monotonic() - started,
            tries,
        )

    # one task

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """The library's ``run_task``, except that a lost database leaves the task to be queued
        again (not failed), a forced stop queues it again, and the result is recorded only while
        the task is still this worker's."""
        try:
            self.running_task = True
            task = db_task_result.task
            task_result = db_task_result.task_result
            backend_type = task.get_backend()
            task_started.send(sender=backend_type, task_result=task_result)
            if task.takes_context:
                return_value = task.call(
                    TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                )
            else:
                return_value = task.call(*task_result.args, **task_result.kwargs)
            if self._finish(
                db_task_result, functools.partial(db_task_result.set_successful, return_value)
            ):
                task_finished.send(sender=backend_type, task_result=db_task_result.task_result)
        except DATABASE_LOST:
            raise  # run() reconnects, then queues this task again
        except (KeyboardInterrupt, SystemExit):
            # A forced stop (a second Ctrl+C or SIGTERM) is no failure of the task.
            try:
                requeue_own(self.worker_id)
            except DatabaseError:
                pass  # another worker takes it after the lease
            raise
        except BaseException as exc:
            if self._finish(db_task_result, functools.partial(db_task_result.set_failed, exc)):
                try:
                    sender = type(db_task_result.task.get_backend())
                    finished = db_task_result.task_result
                except (ImportError, SuspiciousOperation):
                    log.exception("Task id=%s failed unexpectedly", db_task_result.id)
                else:
                    task_finished.send(sender=sender, task_result=finished)
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _finish(self, db_task_result: DBTaskResult, record) -> bool:
        """Record the outcome if the task is still running under this worker."""
        with transaction.atomic():
            row = (
                DBTaskResult.objects.select_for_update()
                .filter(pk=db_task_result.pk)
                .only("status", "worker_ids")
                .first()
            )
            if (
                row is None
                or row.status != TaskResultStatus.RUNNING
                or not row.worker_ids
                or row.worker_ids[-1] != self.worker_id
            ):
                log.warning(
                    "task %s was given to another worker while this one ran it (lease "
                    "expired); this run's result is dropped",
                    db_task_result.pk,
                )
                return False
            record()
        return True

    # the heartbeat thread

    def _start_heartbeat(self) -> None:
        if self._heart is not None and self._heart.is_alive():
            return
        self._stopping.clear()
        self._heart = threading.Thread(
            target=self._heartbeat_loop, name=f"heartbeat-{self.worker_id[:8]}", daemon=True
        )
        self._heart.start()

    def _stop_heartbeat(self) -> None:
        self._stopping.set()
        if self._heart is not None:
            self._heart.join(timeout=10)
        try:
            worker_forget(self.worker_id)
        except DatabaseError:
            pass  # the row ages out; the lease does the rest

    def _heartbeat_loop(self) -> None:
        beat_every = max(0.2, self.lease / 4)
        reap_every = max(0.5, self.lease / 2)
        next_reap = time.monotonic() + reap_every
        try:
            while not self._stopping.wait(beat_every):
                try:
                    heartbeat(self.worker_id)
                    if time.monotonic() >= next_reap:
                        next_reap = time.monotonic() + reap_every
                        reap(lease=self.lease)
                except DatabaseError:
                    _close_quietly()  # the main loop logs the outage; try again next beat
                except Exception:
                    log.exception("heartbeat of worker %s failed", self.worker_id)
        finally:
            _close_quietly()


def _schedule_periodic() -> None:
    """Make sure the periodic cleanups are queued when a worker starts (each also queues its
    next run): the export files' (feedback.exports.files). The contact purge and the audit
    checkpoint are queued by ``migrate``."""
    from feedback.exports.files import cleanup_schedule

    try:
        cleanup_schedule()
    except DatabaseError:
        log.warning("could not queue the cleanup of export files; the next export queues it")
        _close_quietly()


def _close_quietly() -> None:
    try:
        connection.close()
    except DatabaseError:
        pass
