"""Opinion and contact times to the whole minute (issue 12): the fields truncate every write,
and the rows already stored are truncated here (docs/privacy.md)."""

import django.utils.timezone
from django.db import migrations, models

import feedback.models.fields

TRUNCATE = """
UPDATE feedback_submission SET
    received_at = date_trunc('minute', received_at),
    updated_at = date_trunc('minute', updated_at),
    withdrawn_at = date_trunc('minute', withdrawn_at)
WHERE received_at <> date_trunc('minute', received_at)
   OR updated_at <> date_trunc('minute', updated_at)
   OR withdrawn_at <> date_trunc('minute', withdrawn_at);
UPDATE feedback_contact SET created_at = date_trunc('minute', created_at)
WHERE created_at <> date_trunc('minute', created_at);
"""


class Migration(migrations.Migration):
    dependencies = [("feedback", "0012_identity_requests")]

    operations = [
        migrations.AlterField(
            model_name="contact",
            name="created_at",
            field=feedback.models.fields.MinuteDateTimeField(auto_now_add=True),
        ),
        migrations.AlterField(
            model_name="submission",
            name="received_at",
            field=feedback.models.fields.MinuteDateTimeField(
                db_index=True, default=django.utils.timezone.now, verbose_name="received at"
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="updated_at",
            field=feedback.models.fields.MinuteDateTimeField(
                auto_now=True, verbose_name="last changed"
            ),
        ),
        migrations.AlterField(
            model_name="submission",
            name="withdrawn_at",
            field=feedback.models.fields.MinuteDateTimeField(
                blank=True, null=True, verbose_name="withdrawn at"
            ),
        ),
        migrations.RunSQL(TRUNCATE, migrations.RunSQL.noop),
        migrations.AddField(
            model_name="submission",
            name="receipt_link_used",
            field=models.BooleanField(default=False, editable=False),
        ),
    ]
