from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("feedback", "0009_masking_review")]

    operations = []
