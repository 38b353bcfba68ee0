# Issue 13 (audit chain). Operations are filled in by the work that owns this migration.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("feedback", "0014_issue13_response_approval")]

    operations = []
