"""The task worker survives faults (issue 13, point 5; cms/tasks_worker.py).

Adversaries: ``kill -9`` of the worker in the middle of a task (a real worker process, and a
"running" row whose worker stopped renewing its lease), a worker that keeps dying on the same
task, a reaper that must not steal a live worker's long task, a worker that lost its lease and
finishes late, and the database cutting every connection and refusing new ones for a while.
Worker tests use django-tasks-db's DatabaseBackend (the test settings run tasks at once).
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cms.tasks_worker import LeasedWorker, reap
from cms.tests._task_probe import probe
from feedback.exports import files
from feedback.models import StaffJob, TaskWorker

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = DATABASE_TASKS
    settings.TASK_LEASE_SECONDS = 60
    settings.TASK_MAX_ATTEMPTS = 3
    settings.TASK_RECONNECT_MAX_SECONDS = 2
    return settings


def claimed(result, worker_ids: list[str], started_ago: float) -> None:
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        worker_ids=worker_ids,
        started_at=timezone.now() - timedelta(seconds=started_ago),
    )


def seen(worker_id: str, ago: float) -> None:
    at = timezone.now() - timedelta(seconds=ago)
    TaskWorker.objects.update_or_create(
        worker_id=worker_id, defaults={"started_at": at, "seen_at": at}
    )


def row(result) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=result.id)


def worker(worker_id: str = "test-worker", *, batch: bool = True) -> LeasedWorker:
    return LeasedWorker(
        queue_names=["default"],
        interval=0.05,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def in_thread(w: LeasedWorker) -> threading.Thread:
    def run():
        try:
            w.run()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def wait_for(condition, timeout: float, what: str) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


# --- the lease ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_of_a_dead_worker_is_queued_again_after_the_lease(db_tasks, tmp_path):
    dead = probe.enqueue(str(tmp_path), 0, "dead")
    claimed(dead, ["w-dead"], started_ago=90)
    seen("w-dead", ago=61)  # its last heartbeat: more than a lease ago
    vanished = probe.enqueue(str(tmp_path), 0, "vanished")
    claimed(vanished, ["w-gone"], started_ago=90)  # no heartbeat row at all
    alive = probe.enqueue(str(tmp_path), 0, "alive")
    claimed(alive, ["w-alive"], started_ago=600)  # a long task, worker renewing
    seen("w-alive", ago=5)
    fresh = probe.enqueue(str(tmp_path), 0, "fresh")
    claimed(fresh, ["w-gone"], started_ago=10)  # started within the lease: not yet
    reaped = reap()
    assert sorted(reaped.requeued) == sorted([str(dead.id), str(vanished.id)])
    assert reaped.failed == []
    for result in (dead, vanished):
        r = row(result)
        assert (r.status, r.started_at) == ("READY", None)
        assert len(r.worker_ids) == 1  # one attempt so far; the next claim makes two
    assert row(alive).status == row(fresh).status == "RUNNING"
    assert reap().requeued == []  # a second reaper finds nothing more


@pytest.mark.django_db(transaction=True)
def test_two_reapers_at_once_never_take_the_same_task(db_tasks, tmp_path):
    """While one worker's reaper holds the orphan's row, another's skips it (SKIP LOCKED)
    instead of waiting and queueing it a second time."""
    result = probe.enqueue(str(tmp_path), 0)
    claimed(result, ["w-dead"], started_ago=120)
    other = _database_connection()
    try:
        with other.transaction():
            locked = other.execute(
                "SELECT id FROM django_tasks_database_dbtaskresult WHERE id = %s FOR UPDATE",
                [str(result.id)],
            ).fetchall()
            assert len(locked) == 1
            started = time.monotonic()
            assert reap().requeued == []
            assert time.monotonic() - started < 5  # skipped, not waited for
        assert reap().requeued == [str(result.id)]
        assert reap().requeued == []
    finally:
        other.close()
    assert len(row(result).worker_ids) == 1


@pytest.mark.django_db
def test_after_the_last_attempt_the_task_fails_with_a_clear_message(db_tasks, tmp_path):
    result = probe.enqueue(str(tmp_path), 0)
    claimed(result, ["w1", "w2", "w3"], started_ago=120)  # TASK_MAX_ATTEMPTS = 3
    reaped = reap()
    assert reaped.failed == [str(result.id)]
    r = row(result)
    assert r.status == "FAILED" and r.finished_at is not None
    assert r.exception_class_path == "cms.tasks_worker.WorkerLost"
    assert "stopped while running this task 3 times" in r.traceback
    assert "not tried again" in r.traceback
    # What the library's result shows to whoever reads it.
    [error] = r.task_result.errors
    assert error.exception_class_path == "cms.tasks_worker.WorkerLost"


@pytest.mark.django_db
def test_an_export_whose_worker_keeps_dying_is_failed_for_the_official(client, db_tasks, tmp_path):
    from consultations.roles import Role
    from consultations.tests.factories import UserFactory, published_consultation

    now = timezone.now()
    open_consultation = published_consultation(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )
    analyst = UserFactory.with_role(Role.ANALYST, department=open_consultation.department)
    db_tasks.EXPORT_DIR = str(tmp_path / "exports")
    job = StaffJob.objects.create(
        kind=files.EXPORT_KIND,
        consultation=open_consultation,
        requested_by=analyst,
        params={"scope": "register", "format": "xlsx", "suppressed": False},
        status=StaffJob.Status.RUNNING,
    )
    (tmp_path / "exports").mkdir()
    part = tmp_path / "exports" / f"job-{job.pk}-0123456789abcdef.xlsx.part"
    part.write_bytes(b"half")
    result = files.run_export.enqueue(job.pk)
    claimed(result, ["w1", "w2", "w3"], started_ago=120)
    reap()
    job.refresh_from_db()
    assert job.status == StaffJob.Status.FAILED
    assert job.params["failure"] == "worker_lost"
    assert not part.exists()
    client.force_login(analyst)
    html = client.get(f"/admin/analysis/export/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    assert b"interrupted several times because the task worker stopped" in html


@pytest.mark.django_db
def test_a_worker_that_lost_its_lease_does_not_overwrite_the_next_run(db_tasks, tmp_path):
    result = probe.enqueue(str(tmp_path), 0)
    claimed(result, ["w-late", "w-next"], started_ago=1)  # given to w-next meanwhile
    recorded = []
    late = worker("w-late")
    assert late._finish(row(result), lambda: recorded.append(1)) is False
    assert recorded == [] and row(result).status == "RUNNING"
    assert worker("w-next")._finish(row(result), lambda: recorded.append(1)) is True
    assert recorded == [1]


@pytest.mark.django_db(transaction=True)
def test_a_queued_again_task_is_run_by_the_next_worker_as_attempt_two(db_tasks, tmp_path):
    result = probe.enqueue(str(tmp_path), 0)
    claimed(result, ["w-dead"], started_ago=120)
    w = worker("w-second")
    w.run()  # batch: reaps at start, runs what is ready, then returns
    r = row(result)
    assert r.status == "SUCCESSFUL"
    assert r.worker_ids == ["w-dead", "w-second"]
    assert not TaskWorker.objects.filter(worker_id="w-second").exists()  # said goodbye


@pytest.mark.django_db(transaction=True)
def test_a_live_workers_long_task_is_not_taken_from_it(db_tasks, tmp_path):
    db_tasks.TASK_LEASE_SECONDS = 1  # the task lasts three leases
    result = probe.enqueue(str(tmp_path), 3.2, "long")
    w = worker("w-busy")
    thread = in_thread(w)
    taken = []
    try:
        wait_for(lambda: row(result).status == "RUNNING", 20, "the worker claims the task")
        while thread.is_alive():
            taken += reap(lease=1).requeued  # another worker's reaper, again and again
            time.sleep(0.3)
    finally:
        thread.join(timeout=30)
        connection.close()
    assert taken == []
    r = row(result)
    assert r.status == "SUCCESSFUL" and r.worker_ids == ["w-busy"]
    assert r.return_value == 1
    assert len(list(tmp_path.glob("long.*.started"))) == 1


def _start_worker_process(lease: int) -> subprocess.Popen:
    env = {**os.environ, "TASK_LEASE_SECONDS": str(lease), "TASK_MAX_ATTEMPTS": "3"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cms.tests._worker_process",
            connection.settings_dict["NAME"],
            "--no-startup-delay",
            "--interval",
            "0.2",
            "--no-reload",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


@pytest.mark.django_db(transaction=True)
def test_kill_9_of_a_worker_process_in_the_middle_then_another_worker_finishes_it(
    db_tasks, tmp_path
):
    result = probe.enqueue(str(tmp_path), 120, "killed")
    first = _start_worker_process(lease=2)
    try:
        wait_for(lambda: list(tmp_path.glob("killed.*.started")), 60, "the first worker starts")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_at = time.monotonic()
        assert row(result).status == "RUNNING"  # what the library alone leaves for ever
        second = _start_worker_process(lease=2)
        try:
            wait_for(lambda: row(result).status == "SUCCESSFUL", 60, "the task runs again")
            took = time.monotonic() - killed_at
        finally:
            second.terminate()
            second.wait(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
    r = row(result)
    assert len(r.worker_ids) == 2 and r.return_value == 2  # attempt two
    assert len(list(tmp_path.glob("killed.*.done"))) == 1
    assert took < 30


# --- the database goes away -----------------------------------------------------------------


def _database_connection():
    settings_dict = connection.settings_dict
    return psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )


def _admin_connection():
    settings_dict = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or None,
        autocommit=True,
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_reconnects_after_an_outage_and_runs_the_piled_up_tasks(
    db_tasks, tmp_path, caplog
):
    """Every connection of the database is terminated and new ones are refused for about
    four seconds (as during a restart); tasks queued meanwhile run once it is back."""
    caplog.set_level(logging.WARNING, logger="tingjian.tasks")
    name = connection.settings_dict["NAME"]
    before = probe.enqueue(str(tmp_path), 0, "before")
    w = worker("w-outage", batch=False)
    thread = in_thread(w)
    admin = _admin_connection()
    try:
        wait_for(lambda: row(before).status == "SUCCESSFUL", 20, "the first task")
        # Due in a moment: during the outage (none is run before it).
        later = probe.using(run_after=timezone.now() + timedelta(seconds=1.5))
        piled = [later.enqueue(str(tmp_path), 0, f"piled{n}") for n in range(5)]
        connection.close()  # the test's own connection goes too, as in a restart
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            [name],
        )
        time.sleep(4)
        assert all(not list(tmp_path.glob(f"piled{n}.*")) for n in range(5))
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        took = wait_for(
            lambda: all(row(r).status == "SUCCESSFUL" for r in piled), 30, "the piled-up tasks"
        )
    finally:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        admin.close()
        w.running = False
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert took < 5  # back-off capped at TASK_RECONNECT_MAX_SECONDS = 2
    assert w.outages == 1
    lost = [r for r in caplog.records if "lost the database" in r.getMessage()]
    back = [r for r in caplog.records if "has the database again" in r.getMessage()]
    # Logged once per outage, not once per try (there were several tries).
    assert len(lost) == len(back) == 1
    tries = int(back[0].getMessage().split("(")[1].split(" tries")[0])
    assert tries >= 3
    for r in piled:
        assert len(row(r).worker_ids) == 1


@pytest.mark.django_db(transaction=True)
def test_a_task_cut_off_by_the_outage_is_queued_again_not_failed(db_tasks, tmp_path):
    """The connection of a running task is terminated: the task is not marked failed (that
    would lose it); the worker reconnects and runs it again."""
    name = connection.settings_dict["NAME"]
    result = probe.enqueue(str(tmp_path), 2.5, "cut")
    w = worker("w-cut", batch=False)
    thread = in_thread(w)
    admin = _admin_connection()
    try:
        wait_for(lambda: list(tmp_path.glob("cut.*.started")), 20, "the task starts")
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> %s",
            [name, connection.cursor().connection.info.backend_pid],
        )
        wait_for(lambda: row(result).status == "SUCCESSFUL", 30, "the task finishes")
    finally:
        admin.close()
        w.running = False
        thread.join(timeout=30)
    r = row(result)
    # Its first run finished its work, but recording the result needed the lost connection:
    # run again (safe: every task is), as attempt two.
    assert r.worker_ids == ["w-cut", "w-cut"]
    assert r.return_value == 2
