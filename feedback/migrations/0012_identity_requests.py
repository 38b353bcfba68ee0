from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("feedback", "0011_intake_audit")]

    operations = []
