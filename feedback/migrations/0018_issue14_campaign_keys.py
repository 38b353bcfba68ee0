# Issue 14 (campaigns, short and long): the normalised-text key, the short-text flag and the
# stance guard of each text signature. Signatures made by the earlier method are deleted and the
# scan watermark reset, so the next grouping run signs every opinion again with the new method
# (the groups already made, and every decision on them, are kept; a re-analysis rebuilds the
# suggested ones).
from django.db import migrations, models


def signatures_forget(apps, schema_editor):
    apps.get_model("feedback", "TextSignature").objects.all().delete()
    state = apps.get_model("feedback", "CampaignScanState")
    state.objects.update(last_submission_id=0, generation=models.F("generation") + 1)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0017_issue13_uploads")]

    operations = [
        migrations.AddField(
            model_name="textsignature",
            name="match_key",
            field=models.CharField(blank=True, default="", max_length=32),
        ),
        migrations.AddField(
            model_name="textsignature",
            name="short",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="textsignature",
            name="guard",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddIndex(
            model_name="textsignature",
            index=models.Index(
                condition=models.Q(("match_key", ""), _negated=True),
                fields=["match_key"],
                name="textsig_match_key_idx",
            ),
        ),
        migrations.RunPython(signatures_forget, migrations.RunPython.noop),
    ]
