from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("feedback", "0012_identity_requests")]

    operations = []
