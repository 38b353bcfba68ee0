# Issue 15: the response page, moderation and the demo.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0021_issue14_input"),
    ]

    operations = []
