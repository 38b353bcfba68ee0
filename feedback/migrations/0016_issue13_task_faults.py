# Issue 13 (tasks survive faults): the heartbeat of each task worker (cms/tasks_worker.py).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("feedback", "0015_issue13_audit_chain")]

    operations = [
        migrations.CreateModel(
            name="TaskWorker",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "worker_id",
                    models.CharField(max_length=64, unique=True, verbose_name="worker id"),
                ),
                (
                    "hostname",
                    models.CharField(blank=True, max_length=255, verbose_name="host name"),
                ),
                ("pid", models.PositiveIntegerField(default=0, verbose_name="process id")),
                ("started_at", models.DateTimeField(verbose_name="started at")),
                ("seen_at", models.DateTimeField(db_index=True, verbose_name="last seen at")),
            ],
            options={
                "verbose_name": "task worker",
                "verbose_name_plural": "task workers",
                "default_permissions": ("view",),
            },
        ),
    ]
