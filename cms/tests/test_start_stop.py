"""Starting and stopping always work (issue 13, point 9), played as a newcomer does it.

One embedded PostgreSQL in a data folder of this test's own (never the shared .pgdata) and a
free port: ``make db``, then ``scripts/run.sh`` (what ``make run`` starts) again and again,
stopped each time another way: SIGTERM to its process group (once left pgserver's
``.handle_pids.json`` empty and the next start failed), kill -9 of the task worker, of
PostgreSQL (with its postmaster.pid then naming a living process that is not PostgreSQL), of
the runserver's autoreloader child, of the runserver, of run.sh itself, and Ctrl+C. Every next
start must serve /healthz. On the way: the site and the worker connect as the application role
(not the owner, not a superuser), 200 requests leave the number of connections bounded, and
``make stop-db`` stops the server, as root and as the data folder's owner, and fails loudly
when it cannot.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
START_SECONDS = 120


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Instance:
    def __init__(self, folder: Path):
        self.folder = folder
        self.pgdata = folder / "pgdata"
        self.run_dir = folder / "run"
        self.port = free_port()
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "DATABASE_", "TINGJIAN_", "TEST_DATABASE"))
        }
        self.env.update(
            TINGJIAN_PGDATA=str(self.pgdata),
            TINGJIAN_RUN_DIR=str(self.run_dir),
            DJANGO_SETTINGS_MODULE="cms.config.settings.dev",
            PYTHONUNBUFFERED="1",
        )
        self.process: subprocess.Popen | None = None
        self.starts = 0

    # --- processes ---------------------------------------------------------------------

    def make(self, target: str, **kwargs) -> subprocess.CompletedProcess:
        # -o .venv/.stamp: never reinstall the dependencies from inside a test.
        return subprocess.run(
            ["make", "--no-print-directory", "-o", ".venv/.stamp", target],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            **kwargs,
        )

    def recorded(self) -> str | None:
        path = self.run_dir / f"processes-{self.port}"
        return path.read_text() if path.exists() else None

    def start(self) -> None:
        before = self.recorded()
        self.starts += 1
        self.log = self.folder / f"run-{self.starts}.log"
        # A process group of its own, as `make run` has in a terminal.
        self.process = subprocess.Popen(
            ["bash", "scripts/run.sh", "127.0.0.1", str(self.port)],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            # Only this start's processes count (not left-overs that run.sh ends first).
            if self.recorded() not in (None, before) and self.healthy():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.5)
        pytest.fail(f"start {self.starts} did not serve /healthz:\n{self.log.read_text()[-4000:]}")

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=5) as r:
                return r.status == 200 and r.read() == b"ok"
        except (OSError, urllib.error.URLError):
            return False

    def serves(self) -> bool:
        """/healthz answers within 20 s (the autoreloader restarts the server when a source
        file changes, as it may while others edit the tree)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.healthy():
                return True
            time.sleep(0.2)
        return False

    def groups(self) -> list[int]:
        """The process groups of the worker and the web server (run.sh records them)."""
        path = self.run_dir / f"processes-{self.port}"
        return [int(g) for g in path.read_text().split()]

    def wait_stopped(self, groups: list[int]) -> None:
        assert self.process is not None
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("run.sh did not end")
        for _ in range(100):
            if not any(group_alive(g) for g in groups) and not self.listening():
                return
            time.sleep(0.1)
        pytest.fail(f"left behind: groups {[g for g in groups if group_alive(g)]}")

    def listening(self) -> bool:
        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def children(self, group: int) -> list[int]:
        """The processes of ``group``: its leader (the reloader) first, then its children."""
        out = subprocess.run(["ps", "-e", "-o", "pid=,pgid="], capture_output=True, text=True)
        rows = [line.split() for line in out.stdout.splitlines()]
        return sorted(
            (int(pid) for pid, pgid in rows if int(pgid) == group), key=lambda p: p != group
        )

    # --- database ----------------------------------------------------------------------

    def postmaster_pid(self) -> int:
        return int((self.pgdata / "postmaster.pid").read_text().splitlines()[0])

    def query(self, sql: str, params=None) -> list[tuple]:
        with psycopg.connect(
            dbname="postgres", user="postgres", host=str(self.pgdata), autocommit=True
        ) as conn:
            return conn.execute(sql, params).fetchall()

    def execute(self, sql: str) -> None:
        with psycopg.connect(
            dbname="postgres", user="postgres", host=str(self.pgdata), autocommit=True
        ) as conn:
            conn.execute(sql)

    def connections(self) -> dict[str, int]:
        rows = self.query(
            "SELECT usename, count(*) FROM pg_stat_activity WHERE datname = 'tingjian' AND usename IS NOT NULL "
            "GROUP BY usename"
        )
        return dict(rows)


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="module")
def instance():
    folder = Path(tempfile.mkdtemp(prefix="tingjian-start-stop-"))
    inst = Instance(folder)
    try:
        done = inst.make("db")
        assert done.returncode == 0, done.stdout + done.stderr
        # Every connection's user goes to the server's log (read by the test below).
        inst.execute("ALTER SYSTEM SET log_connections = on")
        inst.execute("SELECT pg_reload_conf()")
        yield inst
    finally:
        if inst.process is not None and inst.process.poll() is None:
            os.killpg(inst.process.pid, signal.SIGKILL)
        for group in inst.groups() if (inst.run_dir / f"processes-{inst.port}").exists() else []:
            if group_alive(group):
                os.killpg(group, signal.SIGKILL)
        subprocess.run(
            [PYTHON, "-m", "cms.config.embedded_db", "stop"], cwd=ROOT, env=inst.env, timeout=120
        )
        shutil.rmtree(folder, ignore_errors=True)


def test_make_run_starts_again_however_it_was_stopped(instance):
    inst = instance
    # 1. The first start; the roles; the worker says what it runs with; no connection leak.
    inst.start()
    output = inst.log.read_text()
    assert "Task worker: settings cms.config.settings.dev, DEBUG ON" in output
    with psycopg.connect(
        dbname="tingjian", user="postgres", host=str(inst.pgdata), autocommit=True
    ) as conn:
        owners = conn.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        audit = conn.execute(
            "SELECT has_table_privilege('tingjian_app', 'feedback_auditentry', 'UPDATE'), "
            "has_table_privilege('tingjian_app', 'feedback_auditentry', 'INSERT')"
        ).fetchone()
    assert owners == [("tingjian_owner",)]
    assert audit == (False, True)
    # 200 requests (a new runserver thread each) while pg_stat_activity is sampled.
    seen: set[str] = set()
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            users = inst.connections()
            seen.update(users)
            peak = max(peak, sum(users.values()))
            time.sleep(0.05)

    log = inst.pgdata / "log"
    offset = log.stat().st_size
    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        assert all(inst.serves() for _ in range(200)), inst.log.read_text()[-3000:]
    finally:
        done.set()
        sampler.join()
    with log.open("rb") as handle:
        handle.seek(offset)
        logged = re.findall(rb"connection authorized: user=(\S+) database=tingjian", handle.read())
    assert len(logged) >= 200 and set(logged) == {b"tingjian_app"}, set(logged)
    assert seen <= {"tingjian_app"}, seen  # neither the owner nor the superuser
    assert peak <= 6, peak  # with CONN_MAX_AGE=600 one stayed open per finished thread
    time.sleep(1)
    assert sum(inst.connections().values()) <= 3

    # 2. SIGTERM to the process group; pgserver's handle list left empty, as a kill in the
    #    middle of its rewrite leaves it.
    groups = inst.groups()
    os.killpg(inst.process.pid, signal.SIGTERM)
    inst.wait_stopped(groups)
    (inst.pgdata / ".handle_pids.json").write_text("")
    inst.start()

    # 3. kill -9 of the worker (with its reloader child) and of PostgreSQL; the stale
    #    postmaster.pid then names a living process that is not PostgreSQL (this one).
    worker_group, web_group = inst.groups()
    for pid in inst.children(worker_group):
        os.kill(pid, signal.SIGKILL)
    postmaster = inst.postmaster_pid()
    os.kill(postmaster, signal.SIGKILL)
    time.sleep(1)
    pid_file = inst.pgdata / "postmaster.pid"
    lines = pid_file.read_text().splitlines()
    pid_file.write_text("\n".join([str(os.getpid()), *lines[1:]]) + "\n")
    # 4. kill -9 of the runserver's autoreloader child: the reloader ends, and run.sh with it.
    web = inst.children(web_group)
    assert len(web) >= 2 and web[0] == web_group, web  # the reloader and its child
    os.kill(web[1], signal.SIGKILL)
    inst.wait_stopped([worker_group, web_group])
    inst.start()
    assert inst.postmaster_pid() != postmaster

    # 5. kill -9 of the runserver itself (the reloader): its child is ended with its group.
    groups = inst.groups()
    os.kill(groups[1], signal.SIGKILL)
    inst.wait_stopped(groups)
    inst.start()

    # 6. kill -9 of run.sh (the whole `make run` gone, its children left): the next start
    #    ends the left-overs first.
    groups = inst.groups()
    inst.process.kill()
    inst.process.wait(timeout=10)
    assert any(group_alive(g) for g in groups)
    inst.start()
    assert not any(group_alive(g) for g in groups)

    # 7. Ctrl+C (SIGINT to the process group).
    groups = inst.groups()
    os.killpg(inst.process.pid, signal.SIGINT)
    inst.wait_stopped(groups)
    assert not (inst.run_dir / f"processes-{inst.port}").exists()
    # Whatever the stops left in pgserver's handle list (often an empty file), the next start
    # repairs it.
    started = subprocess.run(
        [PYTHON, "-m", "cms.config.embedded_db"], cwd=ROOT, env=inst.env, capture_output=True
    )
    assert started.returncode == 0, started.stderr
    assert isinstance(json.loads((inst.pgdata / ".handle_pids.json").read_text()), list)


def _embedded(inst: Instance, *args: str, user: str | None = None):
    if user is None:
        command = [PYTHON, "-m", "cms.config.embedded_db", *args]
        env = inst.env
    else:
        # The project's interpreter lives under /root; a normal user runs the system Python
        # 3.11 with the virtual environment's packages.
        site = next((ROOT / ".venv" / "lib").glob("python3*/site-packages"))
        command = ["runuser", "-u", user, "--", "/usr/bin/python3", "-m", "cms.config.embedded_db"]
        command += list(args)
        env = {**inst.env, "PYTHONPATH": f"{site}:{ROOT}"}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_make_stop_db_stops_the_server_as_root_and_as_its_owner(instance):
    inst = instance
    from cms.config import embedded_db

    assert _embedded(inst).returncode == 0  # running
    assert embedded_db.server_running(inst.pgdata)
    done = inst.make("stop-db")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pg_ctl: cannot be run as root" not in done.stdout + done.stderr
    assert not embedded_db.server_running(inst.pgdata)
    again = inst.make("stop-db")
    assert again.returncode == 0 and "not running" in again.stdout

    if os.geteuid() != 0 or inst.pgdata.stat().st_uid == 0 or not Path("/usr/bin/python3").exists():
        return  # the rest needs root with pgserver's own user
    import pwd

    owner = pwd.getpwuid(inst.pgdata.stat().st_uid).pw_name
    assert _embedded(inst).returncode == 0
    stranger = _embedded(inst, "stop", user="nobody")
    assert stranger.returncode != 0 and "Could not stop" in stranger.stderr
    assert embedded_db.server_running(inst.pgdata)
    as_owner = _embedded(inst, "stop", user=owner)
    assert as_owner.returncode == 0, as_owner.stdout + as_owner.stderr
    assert not embedded_db.server_running(inst.pgdata)


def test_an_old_data_folder_owned_by_the_superuser_is_converted_once(instance):
    inst = instance
    from cms.config import embedded_db

    assert _embedded(inst).returncode == 0
    with psycopg.connect(
        dbname="tingjian", user="postgres", host=str(inst.pgdata), autocommit=True
    ) as conn:
        conn.execute("ALTER TABLE feedback_submission OWNER TO postgres")
        conn.execute("ALTER TABLE feedback_auditentry OWNER TO postgres")
        conn.execute("GRANT UPDATE, DELETE ON feedback_auditentry TO tingjian_app")
    for marker in inst.pgdata.glob(".roles-*"):
        marker.unlink()
    assert _embedded(inst).returncode == 0  # any start converts
    assert list(inst.pgdata.glob(".roles-*"))
    with psycopg.connect(
        dbname="tingjian", user="postgres", host=str(inst.pgdata), autocommit=True
    ) as conn:
        owners = conn.execute(
            "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        update = conn.execute(
            "SELECT has_table_privilege('tingjian_app', 'feedback_auditentry', 'UPDATE')"
        ).fetchone()
    assert owners == [("tingjian_owner",)] and update == (False,)
    assert embedded_db.APP_ROLE == "tingjian_app"
