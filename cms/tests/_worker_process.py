"""Run ``manage.py db_worker`` on the test database with the database task backend, in a
process of its own (cms/tests/test_task_faults.py):

    python -m cms.tests._worker_process <database name> [db_worker options]
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.config.settings.test")


def main() -> None:
    import django
    from django.conf import settings

    settings.DATABASES["default"]["NAME"] = sys.argv[1]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    django.setup()
    from django.core.management import call_command

    call_command("db_worker", *sys.argv[2:])


if __name__ == "__main__":
    main()
