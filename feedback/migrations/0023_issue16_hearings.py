# Issue 16 points 1 and 2: hearings and majority counts.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0022_issue15_people"),
        ("consultations", "0007_issue16_decision"),
    ]

    operations = []
