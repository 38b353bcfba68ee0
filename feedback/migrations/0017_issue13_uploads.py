# Issue 13 (bounded uploads): the import job parsed by the task worker.
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0016_issue13_task_faults"),
        ("consultations", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "queued"),
                            ("running", "running"),
                            ("done", "done"),
                            ("failed", "failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("file_format", models.CharField(max_length=8, verbose_name="file format")),
                (
                    "file_size",
                    models.PositiveBigIntegerField(default=0, verbose_name="file size in bytes"),
                ),
                (
                    "import_valid_rows",
                    models.BooleanField(default=False, verbose_name="import the valid rows"),
                ),
                ("language", models.CharField(blank=True, max_length=10, verbose_name="language")),
                (
                    "stored_path",
                    models.CharField(blank=True, max_length=500, verbose_name="stored file"),
                ),
                ("rows_total", models.PositiveIntegerField(default=0, verbose_name="rows read")),
                ("rows_done", models.PositiveIntegerField(default=0, verbose_name="rows checked")),
                ("imported", models.BooleanField(default=False, verbose_name="imported")),
                ("result", models.JSONField(blank=True, default=dict, verbose_name="result")),
                (
                    "error_code",
                    models.CharField(blank=True, max_length=20, verbose_name="error code"),
                ),
                (
                    "error_params",
                    models.JSONField(blank=True, default=dict, verbose_name="error figures"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                (
                    "started_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="started at"),
                ),
                (
                    "finished_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
                ),
                (
                    "consultation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="consultations.consultation",
                        verbose_name="consultation",
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="feedback.auditentry",
                        verbose_name="upload record",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="uploaded by",
                    ),
                ),
            ],
            options={
                "verbose_name": "import job",
                "verbose_name_plural": "import jobs",
                "ordering": ["-created_at", "-pk"],
                "default_permissions": (),
            },
        ),
    ]
