# Issue 13 (unpublished stays private). Operations are filled in by the work that owns this migration.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("consultations", "0003_opinions_per_network")]

    operations = []
