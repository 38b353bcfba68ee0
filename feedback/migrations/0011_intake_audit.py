from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("feedback", "0010_notifications")]

    operations = []
