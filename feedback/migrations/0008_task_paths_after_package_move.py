"""Queued and finished tasks keep their import path in ``django_tasks_db``'s table; the move
of feedback/ into one package per capability (docs/adr/0009-feedback-packages.md) changed the
paths of five tasks. Rows queued before the move are pointed at the new paths, so a worker
started after the upgrade still runs them; the reverse migration restores the old paths."""

from django.db import migrations

MOVED = {
    "feedback.campaign_tasks.group_new_opinions": "feedback.campaigns.tasks.group_new_opinions",
    "feedback.campaign_tasks.opinions_arrived": "feedback.campaigns.tasks.opinions_arrived",
    "feedback.campaign_tasks.regroup_task": "feedback.campaigns.tasks.regroup_task",
    "feedback.search.index_new_opinions": "feedback.search.index.index_new_opinions",
    "feedback.exports.run_export": "feedback.exports.files.run_export",
}


def _rename(apps, mapping):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    for old, new in mapping.items():
        DBTaskResult.objects.filter(task_path=old).update(task_path=new)


def forwards(apps, schema_editor):
    _rename(apps, MOVED)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in MOVED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0007_fewer_indexes_per_opinion"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
