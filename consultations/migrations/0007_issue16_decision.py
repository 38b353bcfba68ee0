# Issue 15/16: the decision record and the decision chain.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0006_issue15_editing"),
    ]

    operations = []
