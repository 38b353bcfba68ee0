"""The application role's privileges after every ``migrate`` run as the owner.

Migrations run as the owner role (``DATABASE_ROLE=owner``: ``make db``; production with
``DATABASE_MIGRATE_URL``), so the owner owns every new table. ``ALTER DEFAULT PRIVILEGES``
already gives the application role SELECT/INSERT/UPDATE/DELETE on them; this takes UPDATE and
DELETE back on the append-only tables (the audit trail, the contact access log, and any table
with an ``..._append_only`` trigger) and re-grants what a migration may have rebuilt.
``DATABASE_APP_ROLE`` names the role (the embedded server's ``tingjian_app`` by default).
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from cms.config.embedded_db import grant_sql, restrict_append_only

logger = logging.getLogger(__name__)
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    if sender.label != "cms":  # post_migrate comes once per app; all migrations are done
        return
    app_role = getattr(settings, "DATABASE_APP_ROLE", "")
    if not app_role or getattr(settings, "DATABASE_ROLE", "app") != "owner":
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if not ROLE_NAME.match(app_role):
        logger.warning("DATABASE_APP_ROLE %r is not a plain role name; no grants.", app_role)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, EXISTS (SELECT FROM pg_roles WHERE rolname = %s)", [app_role]
        )
        owner, exists = cursor.fetchone()
        if not exists:
            logger.warning("DATABASE_APP_ROLE %s does not exist; no grants.", app_role)
            return
        for statement in grant_sql(owner, app_role):
            cursor.execute(statement)
        restrict_append_only(cursor, app_role)
