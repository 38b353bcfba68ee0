"""The audit actions of offline intake (issue 12, point 5): every upload of paper forms, and
every display or closing of the receipt codes an entry created. Manual entries keep "intake"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("feedback", "0010_notifications")]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("moderate", "moderated an opinion"),
                    ("display", "changed public display"),
                    ("code", "coded an opinion"),
                    ("no_theme", "marked an opinion as having no theme"),
                    ("theme", "changed the coding frame"),
                    ("suggestion", "accepted or rejected a suggestion"),
                    ("campaign", "decided on a campaign group"),
                    ("disposition", "set a disposition"),
                    ("publish", "published"),
                    ("export", "exported data"),
                    ("contact_read", "read a contact"),
                    ("contact_purge", "purged contacts"),
                    ("risk", "recorded the risk assessment"),
                    ("intake", "entered an offline opinion"),
                    ("intake_import", "imported offline opinions"),
                    ("intake_receipts", "showed or closed intake receipt codes"),
                ],
                max_length=20,
                verbose_name="action",
            ),
        ),
    ]
