# Issue 16 points 4 to 6: after the decision, the 稳评 chapter and the dossier.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0023_issue16_hearings"),
    ]

    operations = []
