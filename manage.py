#!/usr/bin/env python
import os
import sys
from pathlib import Path

# Commands that change the schema connect as the database's owner role; everything else as the
# application role (docs/deployment.md, "Database roles").
OWNER_COMMANDS = {"migrate", "createcachetable"}

NO_SETTINGS = """manage.py: DJANGO_SETTINGS_MODULE is not set, and there is no default (a worker or a
cron job must never fall into the development settings, where DEBUG is on). Say which:

  development:  DJANGO_SETTINGS_MODULE=cms.config.settings.dev .venv/bin/python manage.py {command}
  production:   DJANGO_SETTINGS_MODULE=cms.config.settings.production (docs/deployment.md)

or put DJANGO_SETTINGS_MODULE=... in the .env file beside manage.py. `make run` and `make db`
set the development settings themselves.
"""


def settings_module() -> str:
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        import environ

        environ.Env.read_env(Path(__file__).resolve().parent / ".env", overwrite=False)
    return os.environ.get("DJANGO_SETTINGS_MODULE", "")


if __name__ == "__main__":
    if not settings_module():
        command = " ".join(sys.argv[1:]) or "<command>"
        sys.stderr.write(NO_SETTINGS.format(command=command))
        sys.exit(2)
    if len(sys.argv) > 1 and sys.argv[1] in OWNER_COMMANDS:
        os.environ.setdefault("DATABASE_ROLE", "owner")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
