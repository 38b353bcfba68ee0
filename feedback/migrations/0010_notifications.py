"""Notifications: pending / sent / failed with attempts, a short error code and the next attempt
(issue 12, point 3). Rows written before: ``queued`` becomes ``pending``; tried rows count one
attempt; error texts are cut to a code."""

from django.db import migrations, models
from django.utils import timezone


def forwards(apps, schema_editor):
    Notification = apps.get_model("feedback", "Notification")
    # A row left "queued" was being sent when a worker stopped: try it again.
    Notification.objects.filter(status="queued").update(
        status="pending", next_attempt_at=timezone.now()
    )
    Notification.objects.filter(status__in=["sent", "failed"]).update(attempts=1)
    Notification.objects.filter(last_error="no contact").update(last_error="no_contact")


def backwards(apps, schema_editor):
    Notification = apps.get_model("feedback", "Notification")
    Notification.objects.filter(status="pending").update(status="queued")
    Notification.objects.filter(last_error="no_contact").update(last_error="no contact")


class Migration(migrations.Migration):
    dependencies = [("feedback", "0009_masking_review")]

    operations = [
        migrations.RenameField(model_name="notification", old_name="error", new_name="last_error"),
        migrations.AddField(
            model_name="notification",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AddField(
            model_name="notification",
            name="next_attempt_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="next attempt at"),
        ),
        # Error texts longer than a code are cut in the same statement that shortens the column.
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE feedback_notification ALTER COLUMN last_error TYPE varchar(60) "
                    "USING left(last_error, 60)",
                    "ALTER TABLE feedback_notification ALTER COLUMN last_error TYPE varchar(300)",
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="last_error",
                    field=models.CharField(blank=True, max_length=60, verbose_name="last error"),
                )
            ],
        ),
        migrations.AlterField(
            model_name="notification",
            name="medium",
            field=models.CharField(blank=True, max_length=10, verbose_name="medium"),
        ),
        migrations.AlterField(
            model_name="notification",
            name="status",
            field=models.CharField(
                choices=[("pending", "pending"), ("sent", "sent"), ("failed", "failed")],
                default="pending",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "sent"), _negated=True)
                | models.Q(("sent_at__isnull", False)),
                name="notification_sent_has_time",
            ),
        ),
        # Data last: PostgreSQL refuses to alter a table with row updates pending in the same
        # transaction.
        migrations.RunPython(forwards, backwards),
    ]
