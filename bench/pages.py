"""Load the public consultation page next to a bare one-query Django view, in one run.

    python -m bench.pages [--duration 20] [--connections 8]

Both are served by the same gunicorn (2 sync workers, production settings) from a database
of their own in the embedded PostgreSQL, so the ratio of their throughputs shows what our
page costs on this machine. Goal (docs/performance.md): ratio >= 0.5 and p95 <= 20 ms.
Everything listens on 127.0.0.1 only and gunicorn is stopped at the end, even on error.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BENCH_DB = "tingjian_bench"
BARE_PATH = "/bench/one-query"
GOAL_RATIO = 0.5
GOAL_P95_MS = 20.0
LINE = re.compile(
    r"BENCH requests=(\d+) errors=(\d+) rps=([\d.]+) p50_ms=([\d.]+) p95_ms=([\d.]+) p99_ms=([\d.]+)"
)


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    rps: float
    p50: float
    p95: float
    p99: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        subprocess.run([str(BASE_DIR / "bench" / "system-deps.sh")], check=True)
    return shutil.which("wrk") or sys.exit("wrk is not installed (apt-get install wrk)")


def bench_database_url(*, fresh: bool = False, name: str = BENCH_DB) -> str:
    """A database of its own on the embedded server, so the benchmark never touches dev data."""
    import psycopg

    from cms.config.embedded_db import ensure_running

    host = ensure_running()["HOST"]
    with psycopg.connect(dbname="postgres", user="postgres", host=host, autocommit=True) as conn:
        if fresh:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # noqa: S608
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f"CREATE DATABASE {name}")  # noqa: S608 - constant name
    return f"postgres://postgres@/{name}?host={quote(host)}"


def bench_environment(
    settings_module: str,
    scratch: str,
    *,
    fresh: bool,
    database: str = BENCH_DB,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """Production settings with throw-away secrets, the bench database and the bench views."""
    from cryptography.fernet import Fernet

    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings_module,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        CONTACT_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        AUDIT_CHAIN_KEY="bench:" + secrets.token_urlsafe(32),
        RATELIMIT_TRUSTED_PROXIES="0",  # the load comes straight to gunicorn, no proxy
        # Production refuses to start without delivering notification backends: a gateway
        # on this machine that nothing answers (the benchmarks publish no response).
        SMS_BACKEND="feedback.response.sms.HttpSMSBackend",
        SMS_HTTP_URL="http://127.0.0.1:9/sms",
        PUBLIC_BASE_URL="https://consult.example.invalid",
        WAGTAILADMIN_BASE_URL="https://consult.example.invalid",
        # The benchmark database is the superuser's; production refuses that (cms.E004) unless
        # told, as here, on this machine only (docs/deployment.md, "Database roles").
        SILENCED_SYSTEM_CHECKS="cms.E004",
        EMAIL_HOST="localhost",
        RATELIMIT_KEY_DIR=str(Path(scratch) / "ratelimit-key"),
        DATABASE_URL=bench_database_url(fresh=fresh, name=database),
        BENCH_VIEWS="1",
        STATIC_ROOT=str(Path(scratch) / "static"),
        MEDIA_ROOT=str(Path(scratch) / "media"),
        EXPORT_DIR=str(Path(scratch) / "exports"),
        LOG_LEVEL="WARNING",
    )
    env.update(extra or {})
    return env


def run_step(env: dict[str, str], *args: str, timeout: int = 600) -> str:
    """Run a preparation step quietly; on failure show its output and stop."""
    done = subprocess.run(
        [PYTHON, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"benchmark preparation failed: {' '.join(args)}")
    return done.stdout


def prepare(env: dict[str, str]) -> str:
    """Migrate, seed and collect static files; return the consultation page's path."""
    print("Preparing the benchmark database (migrate, seed, collectstatic)…", flush=True)
    run_step(env, "manage.py", "migrate", "--noinput", "-v", "0")
    run_step(env, "manage.py", "createcachetable")
    run_step(env, "manage.py", "collectstatic", "--noinput", "-v", "0")
    return run_step(env, "-m", "bench.seed", timeout=300).strip().splitlines()[-1]


def start_gunicorn(
    env: dict[str, str], port: int, workers: int, threads: int = 1
) -> subprocess.Popen:
    """gunicorn with sync workers, or gthread workers of ``threads`` threads each."""
    gunicorn = Path(PYTHON).with_name("gunicorn")
    return subprocess.Popen(
        [
            str(gunicorn) if gunicorn.exists() else "gunicorn",
            "cms.config.wsgi:application",
            "--workers",
            str(workers),
            "--worker-class",
            "sync" if threads == 1 else "gthread",
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        start_new_session=True,
    )


def wait_ready(url: str, server: subprocess.Popen, timeout: float = 60.0) -> None:
    """Until a worker answers; the socket accepts connections before the workers have booted."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - 127.0.0.1
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while booting
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def check_ok(url: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - 127.0.0.1
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        hint = " (is the bench route in cms/config/urls.py?)" if url.endswith(BARE_PATH) else ""
        raise SystemExit(f"{url} answered {status}, expected 200{hint}")


def run_wrk(wrk: str, name: str, url: str, duration: int, connections: int) -> Result:
    threads = max(1, min(connections, os.cpu_count() or 1))
    done = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "5s",
            "-s",
            str(BASE_DIR / "bench" / "report.lua"),
            url,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=duration + 60,
    )
    match = LINE.search(done.stdout)
    if not match:
        raise SystemExit(f"could not read wrk output:\n{done.stdout}\n{done.stderr}")
    requests, errors = int(match[1]), int(match[2])
    rps, p50, p95, p99 = (float(match[i]) for i in range(3, 7))
    return Result(name, requests, errors, rps, p50, p95, p99)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def load_average() -> str:
    """The 1-minute load average: other work on the machine skews both figures."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def report(page: Result, bare: Result, args: argparse.Namespace, load_before: str) -> bool:
    ratio = page.rps / bare.rps if bare.rps else 0.0
    print()
    print(
        f"{args.duration} s per URL, {args.connections} connections, "
        f"gunicorn {args.workers} sync workers, production settings, {os.cpu_count()} CPUs"
    )
    print(f"load average (1 min): {load_before} before loading, {load_average()} after")
    print(f"{'':18} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in (page, bare):
        print(f"{r.name:18} {r.rps:9.1f} {r.p50:8.2f} {r.p95:8.2f} {r.p99:8.2f} {r.errors:7d}")
    ratio_ok = ratio >= GOAL_RATIO
    p95_ok = page.p95 <= GOAL_P95_MS
    print(
        f"ratio page/bare req/s: {ratio:.2f} (goal >= {GOAL_RATIO}): {'met' if ratio_ok else 'NOT met'}"
    )
    print(
        f"page p95: {page.p95:.2f} ms (goal <= {GOAL_P95_MS:.0f} ms): {'met' if p95_ok else 'NOT met'}"
    )
    return ratio_ok and p95_ok and page.errors == 0 and bare.errors == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per URL (default 20)")
    parser.add_argument("--connections", type=int, default=8, help="open connections (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per URL (default 3)")
    parser.add_argument(
        "--settings", default="cms.config.settings.production", help="Django settings module"
    )
    parser.add_argument(
        "--path", help="load this path instead of the seeded consultation page, e.g. / for home"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="drop and recreate the benchmark database first"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 300 or not 1 <= args.connections <= 256:
        parser.error("duration must be 1–300 s and connections 1–256")

    sys.path.insert(0, str(BASE_DIR))
    wrk = ensure_wrk()
    with tempfile.TemporaryDirectory(prefix="tingjian-bench-") as scratch:
        env = bench_environment(args.settings, scratch, fresh=args.fresh)
        page_path = prepare(env)
        page_name = "consultation page"
        if args.path:
            page_path, page_name = args.path, args.path[:18]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(env, port, args.workers)
        try:
            wait_ready(base + "/healthz", server)
            urls = {page_name: base + page_path, "bare one-query": base + BARE_PATH}
            for url in urls.values():
                check_ok(url)
            print(f"Warming up ({args.warmup} s per URL)…", flush=True)
            for name, url in urls.items():
                run_wrk(wrk, name, url, args.warmup, args.connections)
            results = []
            load_before = load_average()
            for name, url in urls.items():
                print(f"Loading {url} for {args.duration} s…", flush=True)
                results.append(run_wrk(wrk, name, url, args.duration, args.connections))
        finally:
            stop(server)
    return 0 if report(*results, args, load_before) else 1


if __name__ == "__main__":
    sys.exit(main())
