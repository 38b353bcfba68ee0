# Issue 13 (two people for consequential actions). Operations are filled in by the work that owns this migration.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("consultations", "0004_issue13_private_documents")]

    operations = []
