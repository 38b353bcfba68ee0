# Issue 15: editing consultations (drafts, slugs, districts, kinds).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0005_issue13_two_person"),
    ]

    operations = []
