"""The one task queued after opinions are stored: once per transaction, never blocked by a
rolled-back transaction, queued without waiting for the disk."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from feedback.services import OpinionData, submission_create

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
            ("feedback.campaign_tasks.opinions_arrived", {"args": [c.pk], "kwargs": {}})
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


def test_no_second_task_while_one_is_waiting_a_new_one_once_it_runs(
    open_consultation, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    c = open_consultation
    with override_settings(TASKS=DATABASE_TASKS):
        for n in range(3):  # three commits while the first task waits in the queue
            with django_capture_on_commit_callbacks(execute=True):
                opine(c, f"意见{n}")
        assert len(queued()) == 1
        DBTaskResult.objects.update(status="RUNNING")  # a worker claimed it: it may have read
        with django_capture_on_commit_callbacks(execute=True):
            opine(c, "认领之后的意见")
        assert DBTaskResult.objects.filter(status="READY").count() == 1
        assert len(queued()) == 2
