"""The one task queued after opinions are stored: once per transaction, never blocked by a
rolled-back transaction, queued without waiting for the disk."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.intake.services import OpinionData, submission_create

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def opine(consultation, comment: str):
    return submission_create(
        consultation=consultation, data=OpinionData(comment=comment), token=uuid.uuid4()
    )[0]


def queued():
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))


def test_a_rolled_back_transaction_does_not_stop_later_tasks(
    open_consultation, django_capture_on_commit_callbacks
):
    c = open_consultation
    with override_settings(TASKS=DATABASE_TASKS):
        with django_capture_on_commit_callbacks(execute=True):
            try:
                with transaction.atomic():
                    opine(c, "这条意见随事务回滚")
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
            opine(c, "下一条意见")
        assert queued() == [
            ("feedback.campaigns.tasks.opinions_arrived", {"args": [c.pk], "kwargs": {}})
        ]


def test_several_opinions_in_one_transaction_queue_one_task(
    open_consultation, django_capture_on_commit_callbacks
):
    c = open_consultation
    with override_settings(TASKS=DATABASE_TASKS):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            for n in range(3):
                opine(c, f"意见{n}")
        assert len(queued()) == 1


def test_the_task_row_does_not_wait_for_the_disk(
    open_consultation, django_capture_on_commit_callbacks
):
    with override_settings(TASKS=DATABASE_TASKS), CaptureQueriesContext(connection) as queries:
        with django_capture_on_commit_callbacks(execute=True):
            opine(open_consultation, "一条意见")
    sql = [q["sql"] for q in queries]
    off = sql.index("SET LOCAL synchronous_commit TO OFF")
    assert "django_tasks_database_dbtaskresult" in sql[off + 1]


def test_the_task_waits_before_a_worker_may_claim_it(
    open_consultation, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from feedback.campaigns.tasks import TASK_COVERS, TASK_DELAY

    with override_settings(TASKS=DATABASE_TASKS):
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            opine(open_consultation, "一条意见")
        after = timezone.now()
        task = DBTaskResult.objects.get()
        assert before + TASK_DELAY <= task.run_after <= after + TASK_DELAY
        # What the guarantee rests on: a worker cannot claim it yet.
        assert not DBTaskResult.objects.ready().exists()
        assert TASK_DELAY.total_seconds() - TASK_COVERS >= 1.0  # room for clock skew


def test_no_second_task_while_the_first_will_still_read_them_a_new_one_after(
    open_consultation, django_capture_on_commit_callbacks, monkeypatch
):
    from django_tasks_db.models import DBTaskResult

    from feedback.campaigns import tasks as campaign_tasks

    c = open_consultation
    clock = [1000.0]
    monkeypatch.setattr(campaign_tasks.time, "monotonic", lambda: clock[0])
    with override_settings(TASKS=DATABASE_TASKS), CaptureQueriesContext(connection) as queries:
        for n in range(3):  # three commits within the time the first task covers
            with django_capture_on_commit_callbacks(execute=True):
                opine(c, f"意见{n}")
            clock[0] += campaign_tasks.TASK_COVERS / 4
        # No query at all to decide that: only the first opinion touched the task table.
        task_sql = [q for q in queries if "django_tasks_database_dbtaskresult" in q["sql"]]
        assert len(task_sql) == 1
        assert len(queued()) == 1
        first = DBTaskResult.objects.get()
        clock[0] = 1000.0 + campaign_tasks.TASK_COVERS + 0.01  # the first may have started
        with django_capture_on_commit_callbacks(execute=True):
            opine(c, "之后的意见")
        assert len(queued()) == 2
        second = DBTaskResult.objects.exclude(pk=first.pk).get()
        assert second.run_after > first.run_after


def test_each_consultation_gets_its_own_task(open_consultation, django_capture_on_commit_callbacks):
    from consultations.tests.factories import published_consultation

    now = timezone.now()
    other = published_consultation(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )
    with override_settings(TASKS=DATABASE_TASKS):
        for c in (open_consultation, other, open_consultation):
            with django_capture_on_commit_callbacks(execute=True):
                opine(c, "意见")
        args = sorted(kwargs["args"] for _path, kwargs in queued())
        assert args == [[open_consultation.pk], [other.pk]]
