# Issue 13 (tasks survive faults). Operations are filled in by the work that owns this migration.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("feedback", "0015_issue13_audit_chain")]

    operations = []
