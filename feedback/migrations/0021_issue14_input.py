# Issue 14 points 4 and 5: odd input and the date received; intake fixes of issue 15.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0020_issue14_search"),
    ]

    operations = []
