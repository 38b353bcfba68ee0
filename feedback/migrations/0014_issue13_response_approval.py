# Issue 13 (two people for consequential actions). Operations are filled in by the work that owns this migration.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("feedback", "0013_network_privacy")]

    operations = []
