# Issue 16 point 5 (session 10; 0024 was applied empty before): after the decision.
# Point 5: opinions during implementation (Submission.phase) and the notice that a
# post-decision evaluation opened (Notification.kind, one notice per opinion and kind).
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0024_issue16_after_decision"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="notification",
            name="notification_once_per_submission",
        ),
        migrations.AddField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("response", "the response is published"),
                    ("follow_up", "a post-decision evaluation is open"),
                ],
                default="response",
                max_length=12,
                verbose_name="about",
            ),
        ),
        migrations.AddField(
            model_name="submission",
            name="phase",
            field=models.CharField(
                choices=[
                    ("consultation", "during the consultation"),
                    ("implementation", "during implementation"),
                ],
                default="consultation",
                max_length=16,
                verbose_name="phase",
            ),
        ),
        migrations.AddIndex(
            model_name="submission",
            index=models.Index(
                condition=models.Q(("phase", "implementation")),
                fields=["consultation"],
                name="submission_implementation_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("submission", "kind"), name="notification_once_per_submission_kind"
            ),
        ),
    ]
