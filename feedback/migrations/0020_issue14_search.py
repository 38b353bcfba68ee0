# Issue 14 point 3: search (Traditional/Simplified, phrases, clause-box text).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0019_issue14_suggestions"),
    ]

    operations = []
