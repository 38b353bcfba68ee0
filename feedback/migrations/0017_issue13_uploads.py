# Issue 13 (bounded uploads). Operations are filled in by the work that owns this migration.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("feedback", "0016_issue13_task_faults")]

    operations = []
