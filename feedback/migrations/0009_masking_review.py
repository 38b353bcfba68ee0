from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("feedback", "0008_task_paths_after_package_move")]

    operations = []
