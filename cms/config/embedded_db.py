"""Embedded PostgreSQL for development and tests (used only when DATABASE_URL is not set).

The server comes from the ``pgserver`` wheel, keeps its data in a project-local ignored
folder (``TINGJIAN_PGDATA``, default ``.pgdata/``) and stays running between commands so that
a second ``make run`` starts in seconds.

Roles, as in production (docs/deployment.md, "Database roles"):

- ``tingjian_owner`` owns the database, its tables and functions and runs the migrations
  (``DATABASE_ROLE=owner``: ``make db``);
- ``tingjian_app`` is what the site, the task worker and ``seed_demo`` connect as: no superuser,
  owner of nothing, SELECT/INSERT/UPDATE/DELETE on the tables (given by ``ALTER DEFAULT
  PRIVILEGES`` for the tables the owner creates later), and only SELECT and INSERT on the
  append-only tables (the audit trail, the contact access log);
- the superuser ``postgres`` is used only by the test settings (creating test databases) and
  by this module to set the roles up. A data folder made before the roles existed (tables
  owned by ``postgres``) is converted once, idempotently.

Starting always works: an empty or broken ``.handle_pids.json`` (pgserver's list of processes
using the server, left empty when a process is killed while writing it) and a stale
``postmaster.pid`` (its process is gone, or the number now belongs to another process) are
repaired before pgserver reads them.

``python -m cms.config.embedded_db stop`` stops the server, as root too (pgserver runs
PostgreSQL as the owner of the data folder, user ``pgserver``, when started by root), and
exits non-zero when it could not. ``... grants`` re-applies the roles' privileges (``make db``
runs it after ``migrate``); ``... sql`` prints the statements for a production database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

BASE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("TINGJIAN_PGDATA", BASE_DIR / ".pgdata")).resolve()
DB_NAME = "tingjian"
SUPERUSER = "postgres"
OWNER_ROLE = "tingjian_owner"
APP_ROLE = "tingjian_app"
ROLES = {"owner": OWNER_ROLE, "app": APP_ROLE, "superuser": SUPERUSER}
# Bump when the role set-up changes: every data folder is then set up again (idempotent).
ROLES_VERSION = 1
# Tables the application may only read and append to. Tables with an ``..._append_only``
# trigger (feedback/migrations 0002, 0004 and later) are found in the database as well.
APPEND_ONLY_TABLES = (
    "feedback_auditentry",
    "feedback_contactaccesslog",
    "feedback_auditcheckpoint",
)


# --- repairs before pgserver reads its files ----------------------------------------------


def _live_postgres(pid: int):
    """The process ``pid`` when it is a running PostgreSQL server process, else None."""
    import psutil

    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        name = process.name()
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return None
    return process if name in {"postgres", "postmaster"} else None


def _postmaster_pid(data_dir: Path) -> int | None:
    try:
        first = (data_dir / "postmaster.pid").read_text().splitlines()[0]
        return int(first.strip())
    except (FileNotFoundError, IndexError, ValueError):
        return None


def server_running(data_dir: Path | None = None) -> bool:
    pid = _postmaster_pid(data_dir or DATA_DIR)
    return pid is not None and _live_postgres(pid) is not None


def repair_handle_list(data_dir: Path) -> None:
    """pgserver keeps the pids of the processes using the server in ``.handle_pids.json``,
    rewritten (truncate, then write) by every process that starts or ends; a process killed
    in between leaves the file empty, and every later start fails with a JSONDecodeError.
    Keep only valid, living pids."""
    import psutil

    path = data_dir / ".handle_pids.json"
    if not path.exists():
        return
    try:
        pids = json.loads(path.read_text())
        valid = isinstance(pids, list) and all(isinstance(p, int) for p in pids)
    except (ValueError, OSError):
        pids, valid = [], False
    alive = [p for p in pids if psutil.pid_exists(p)] if valid else []
    if not valid or alive != pids:
        path.write_text(json.dumps(alive))


def repair_stale_postmaster(data_dir: Path) -> None:
    """Remove ``postmaster.pid`` (and the socket lock files) when no PostgreSQL process owns
    them any more: after ``kill -9`` the number may belong to another process, and then pgserver
    (which only asks whether the pid exists) would take the dead server for a running one."""
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return
    pid = _postmaster_pid(data_dir)
    process = _live_postgres(pid) if pid else None
    if process is not None:
        # A server that is starting or stopping: give it a moment to settle.
        for _ in range(40):
            lines = pid_file.read_text().splitlines() if pid_file.exists() else []
            if not pid_file.exists() or (len(lines) >= 8 and lines[7].strip() == "ready"):
                break
            if _live_postgres(pid) is None:
                break
            time.sleep(0.25)
        if _live_postgres(pid) is not None:
            return
    pid_file.unlink(missing_ok=True)
    for lock in data_dir.glob(".s.PGSQL.*.lock"):
        lock.unlink(missing_ok=True)


def repair(data_dir: Path) -> None:
    """Both repairs, under pgserver's own inter-process lock."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import PostgresServer

    with PostgresServer._lock:
        repair_handle_list(data_dir)
        repair_stale_postmaster(data_dir)


# --- start --------------------------------------------------------------------------------


def _server():
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    logging.getLogger("pgserver").setLevel(logging.CRITICAL)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    last_error: Exception | None = None
    for attempt in range(4):
        repair(DATA_DIR)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return pgserver.get_server(DATA_DIR, cleanup_mode=None)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, AssertionError) as exc:
            # E.g. the backends of a killed server still hold its shared memory for a moment.
            # pgserver keeps the half-made handle: forget it, or the next try returns it.
            from pgserver.postgres_server import PostgresServer

            PostgresServer._instances.pop(DATA_DIR, None)
            last_error = exc
            time.sleep(1 + attempt)
    log = DATA_DIR / "log"
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(
        f"The embedded PostgreSQL in {DATA_DIR} does not start ({last_error}).\n{tail}\n"
        "Try `make stop-db`; if it still fails, look at the log above."
    ) from last_error


def ensure_running(role: str = "superuser") -> dict:
    """Start the embedded server if needed and return Django connection settings for ``role``
    ("app", "owner" or "superuser"; the settings choose: ``database_settings`` in base.py)."""
    server = _server()
    socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    marker = DATA_DIR / f".created-{DB_NAME}"
    if not marker.exists():
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")  # noqa: S608 - constant
        if "1 row" not in exists:
            server.psql(f"CREATE DATABASE {DB_NAME};")
        marker.touch()
    roles_marker = DATA_DIR / f".roles-{DB_NAME}-v{ROLES_VERSION}"
    if not roles_marker.exists():
        try:
            apply_roles(socket_dir)
            roles_marker.touch()
        except Exception as exc:  # e.g. a table locked by a long transaction: next start
            if role != "superuser":
                raise
            sys.stderr.write(f"Database roles not set up yet ({exc}); retried at next start.\n")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DB_NAME,
        "USER": ROLES[role],
        "PASSWORD": "",
        "HOST": str(socket_dir),
        "PORT": "",
    }


# --- roles --------------------------------------------------------------------------------


def role_sql(owner: str = OWNER_ROLE, app: str = APP_ROLE, database: str = DB_NAME) -> list[str]:
    """Statements (run as a superuser, idempotent) that create the two roles, hand the
    database to the owner and give the application role its privileges. The ownership of
    existing tables is moved by ``apply_roles`` (or ``ALTER TABLE ... OWNER TO`` by hand)."""
    # Role names come from this module or a checked setting.
    create = (
        "DO $$ BEGIN "  # noqa: S608
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{owner}') THEN "
        f"CREATE ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; "
        f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{app}') THEN "
        f"CREATE ROLE {app} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT; END IF; "
        "END $$"
    )
    return [
        create,
        f"ALTER DATABASE {database} OWNER TO {owner}",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {owner}",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}",
        f"GRANT USAGE ON SCHEMA public TO {app}",
        *grant_sql(owner, app),
    ]


def grant_sql(owner: str = OWNER_ROLE, app: str = APP_ROLE) -> list[str]:
    """Privileges of the application role (re-run after every migration)."""
    return [
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {app}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {app}",
    ]


APPEND_ONLY_QUERY = """
SELECT DISTINCT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
LEFT JOIN pg_proc p ON p.oid = t.tgfoid
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
  AND (c.relname = ANY(%s) OR p.proname LIKE '%%append_only%%')
"""


def append_only_tables(cursor) -> list[str]:
    cursor.execute(APPEND_ONLY_QUERY, [list(APPEND_ONLY_TABLES)])
    return sorted(row[0] for row in cursor.fetchall())


def restrict_append_only(cursor, app: str = APP_ROLE) -> list[str]:
    """Only SELECT and INSERT for ``app`` on the append-only tables; returns their names."""
    tables = append_only_tables(cursor)
    for table in tables:
        cursor.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{table}" FROM {app}')
    return tables


def transfer_ownership(cursor, owner: str = OWNER_ROLE) -> int:
    """``ALTER ... OWNER TO owner`` for every table, view, sequence and function of the
    public schema that someone else owns (idempotent); returns how many were moved."""
    cursor.execute(
        """
        SELECT c.relkind, c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND pg_get_userbyid(c.relowner) <> %s
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
        ORDER BY c.relkind = 'S', c.relname
        """,
        [owner],
    )
    kinds = {"v": "VIEW", "m": "MATERIALIZED VIEW", "f": "FOREIGN TABLE", "S": "SEQUENCE"}
    moved = 0
    for kind, name in cursor.fetchall():
        cursor.execute(f'ALTER {kinds.get(kind, "TABLE")} "{name}" OWNER TO {owner}')
        moved += 1
    cursor.execute(
        """
        SELECT p.oid::regprocedure::text FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> %s
        """,
        [owner],
    )
    for (signature,) in cursor.fetchall():
        cursor.execute(f"ALTER ROUTINE {signature} OWNER TO {owner}")
        moved += 1
    return moved


def apply_roles(socket_dir: str, database: str = DB_NAME) -> None:
    """Create the roles, convert an old data folder and grant (as the superuser)."""
    import psycopg

    with psycopg.connect(dbname=database, user=SUPERUSER, host=socket_dir, autocommit=True) as conn:
        with conn.cursor() as cursor:
            # Never queue for long behind another process's transaction (and block it).
            cursor.execute("SET lock_timeout = '5s'")
            for statement in role_sql(database=database):
                cursor.execute(statement)
            if transfer_ownership(cursor):
                for statement in grant_sql():
                    cursor.execute(statement)
            restrict_append_only(cursor)


def apply_grants() -> list[str]:
    """After ``migrate``: ownership of anything the superuser created, the application
    role's privileges and the append-only restrictions. Returns the append-only tables."""
    import psycopg

    socket_dir = ensure_running("superuser")["HOST"]
    with psycopg.connect(dbname=DB_NAME, user=SUPERUSER, host=socket_dir, autocommit=True) as conn:
        with conn.cursor() as cursor:
            transfer_ownership(cursor)
            for statement in grant_sql():
                cursor.execute(statement)
            return restrict_append_only(cursor)


# --- stop ---------------------------------------------------------------------------------


def _data_dir_user() -> str | None:
    """The system user PostgreSQL runs as: the data folder's owner when we are root and
    someone else owns it (pgserver, started by root, runs it as user ``pgserver``)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    import pwd

    uid = DATA_DIR.stat().st_uid
    return None if uid == 0 else pwd.getpwuid(uid).pw_name


def stop() -> int:
    """Stop the server; 0 when it is stopped (or was not running), 1 when it could not."""
    try:
        running = DATA_DIR.exists() and server_running(DATA_DIR)
    except PermissionError as exc:
        sys.stderr.write(
            f"Could not stop the embedded PostgreSQL: {exc}. Run `make stop-db` as the owner "
            f"of {DATA_DIR} or as root.\n"
        )
        return 1
    if not running:
        print(f"The embedded PostgreSQL in {DATA_DIR} is not running.")
        return 0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
    done = subprocess.run(
        [str(pg_ctl), "-D", str(DATA_DIR), "-m", "fast", "-w", "-t", "60", "stop"],
        check=False,
        user=_data_dir_user(),
        capture_output=True,
        text=True,
    )
    for _ in range(40):
        if not server_running(DATA_DIR):
            print(f"Stopped the embedded PostgreSQL in {DATA_DIR}.")
            return 0
        time.sleep(0.25)
    sys.stderr.write(done.stdout + done.stderr)
    sys.stderr.write(f"Could not stop the embedded PostgreSQL in {DATA_DIR}.\n")
    return 1


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "stop":
        sys.exit(stop())
    elif command == "grants":
        tables = apply_grants()
        print(f"Privileges of {APP_ROLE} applied; append-only: {', '.join(tables)}.")
    elif command == "sql":
        print(";\n".join(role_sql()) + ";")
    else:
        print(ensure_running()["HOST"])
