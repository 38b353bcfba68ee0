# Issue 16 point 5: a post-decision evaluation (决策后评估) is a consultation linked to the
# decided one it evaluates (consultations.followup).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        # 0007_issue16_decision already depends on helper B's 0006_issue15_editing; depending on
        # 0007 keeps one leaf node.
        ("consultations", "0007_issue16_decision"),
    ]

    operations = [
        migrations.AddField(
            model_name="consultation",
            name="follow_up_of",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="follow_ups",
                to="consultations.consultation",
                verbose_name="post-decision evaluation of",
            ),
        ),
    ]
