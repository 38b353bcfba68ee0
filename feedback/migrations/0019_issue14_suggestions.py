# Issue 14 point 2: theme suggestions and their held-out evaluation.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0018_issue14_campaign_keys"),
    ]

    operations = []
