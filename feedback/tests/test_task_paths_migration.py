"""Tasks queued before feedback/ was split into packages still run after the upgrade: migration
0008 points their stored paths at the tasks' new modules (and back when reversed)."""

from __future__ import annotations

import importlib
import uuid

import pytest
from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

migration = importlib.import_module("feedback.migrations.0008_task_paths_after_package_move")


def _queued(path: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        id=uuid.uuid4(),
        task_path=path,
        args_kwargs={"args": [1], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    )


@pytest.mark.parametrize("new_path", sorted(migration.MOVED.values()))
def test_every_new_path_is_a_task(new_path):
    assert isinstance(import_string(new_path), Task)


@pytest.mark.parametrize("old_path", sorted(migration.MOVED))
def test_old_paths_no_longer_import(old_path):
    with pytest.raises(ImportError):
        import_string(old_path)


@pytest.mark.django_db
def test_rows_queued_under_the_old_paths_point_at_the_new_ones_and_back():
    rows = {old: _queued(old) for old in migration.MOVED}
    untouched = _queued("feedback.response.tasks.notify_response")

    migration.forwards(apps, None)
    for old, row in rows.items():
        row.refresh_from_db()
        assert row.task_path == migration.MOVED[old]
        assert isinstance(import_string(row.task_path), Task)  # what a worker imports to run it
    untouched.refresh_from_db()
    assert untouched.task_path == "feedback.response.tasks.notify_response"

    migration.backwards(apps, None)
    for old, row in rows.items():
        row.refresh_from_db()
        assert row.task_path == old
