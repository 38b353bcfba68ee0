"""Server-side prepared statements for the few hot statements whose planning costs more than
their work (the routing query of the public pages, the opinion INSERT).

Django's own cursors bind parameters on the client and never prepare. ``prepared_cursor()``
gives psycopg's server-binding cursor with Django's wrapper (query logging and execute
wrappers included, as with ``connection.cursor()``); each statement run through it is
prepared once per database connection: psycopg keeps the statement (and forgets it after a
ROLLBACK, DISCARD ALL or DDL, preparing it again when next used).
"""

from __future__ import annotations

import functools

from django.db import connection


@functools.cache
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=True, binary=None):
            result = super().execute(query, params, prepare=prepare, binary=binary)
            if self._query is None and connection.queries_logged:
                # psycopg keeps the statement's text only when it did not run it prepared;
                # Django's query log (DEBUG, tests) reads it from there.
                self._query = self._convert_query(query, params)
            return result

    return PreparedCursor


def prepared_cursor():
    """A cursor whose statements run prepared (PostgreSQL only; use it as a context manager)."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None and "prepare_threshold" not in connection.settings_dict.get(
        "OPTIONS", {}
    ):
        # Django leaves psycopg's preparing off unless configured (None also turns off explicit
        # ``prepare=True``). A threshold no query reaches prepares only statements that ask for
        # it, i.e. these; Django's client-binding cursors never prepare. An explicitly
        # configured ``prepare_threshold: None`` (e.g. behind PgBouncer) is respected.
        raw.prepare_threshold = 2**31 - 1
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_prepared_cursor_class()(connection.connection))


def fetch_prepared(sql: str, params: list) -> tuple | None:
    """Run ``sql`` as a prepared statement and return its first row."""
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
