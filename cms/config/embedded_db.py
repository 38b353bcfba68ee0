"""Embedded PostgreSQL for development and tests (used only when DATABASE_URL is not set).

The server comes from the ``pgserver`` wheel, keeps its data in a project-local ignored
folder and stays running between commands so that a second ``make run`` starts in seconds.
``python -m cms.config.embedded_db stop`` shuts it down.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

BASE_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("TINGJIAN_PGDATA", BASE_DIR / ".pgdata")).resolve()
DB_NAME = "tingjian"


def ensure_running() -> dict:
    """Start the embedded server if needed and return Django connection settings."""
    import logging
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

    logging.getLogger("pgserver").setLevel(logging.WARNING)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = pgserver.get_server(DATA_DIR, cleanup_mode=None)
    socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    marker = DATA_DIR / f".created-{DB_NAME}"
    if not marker.exists():
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")  # noqa: S608 - constant
        if "1 row" not in exists:
            server.psql(f"CREATE DATABASE {DB_NAME};")
        marker.touch()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DB_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": str(socket_dir),
        "PORT": "",
    }


def stop() -> None:
    if not (DATA_DIR / "postmaster.pid").exists():
        return
    import pgserver

    pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
    subprocess.run([str(pg_ctl), "-D", str(DATA_DIR), "-m", "fast", "stop"], check=False)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "stop":
        stop()
    else:
        print(ensure_running()["HOST"])
