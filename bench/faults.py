"""The fault suite (``make faults``): break things under load and count what residents lost.

    python -m bench.faults [--scenarios a,b,c,d] [--clients 4] [--keep]

Everything runs on this machine and listens on 127.0.0.1 only: gunicorn (2 sync workers,
production settings, throw-away keys; bench/intake.py's set-up), two task workers
(``manage.py db_worker``, the lease of cms/tasks_worker.py shortened to 5 s) and an embedded
PostgreSQL of the suite's own in a temporary folder (``TINGJIAN_PGDATA``; never the shared
``.pgdata``), stopped and deleted at the end. Residents are client processes that behave like
a browser without JavaScript: GET the opinion form, POST it, read the receipt cookie of the
redirect; after a connection error or a 5xx page they send the same form again (same token,
as a resident pressing "send" again would), for at most a minute.

Scenarios:

(a) a gunicorn worker killed with SIGKILL during intake;
(b) a task worker killed with SIGKILL in the middle of a campaign regroup (of
    ``--regroup-opinions`` opinions), then in the middle of an XLSX export (of
    ``--export-opinions``); the other worker takes the task after the lease, the killed one is
    started again as a supervisor (systemd ``Restart=always``) would;
(c) PostgreSQL restarted (``pg_ctl restart -m fast``) under intake load;
(d) the export folder made unwritable (``chattr +i`` as root, else ``chmod 0``): an export
    must fail with its message, never stay "running"; then writable again.

For each: opinions acknowledged, stored, lost (acknowledged but not stored: must be 0),
duplicated (stored twice: must be 0), stored although the resident was not given a receipt,
the 5xx pages residents saw (status and the first words of the page), and the seconds from the
fault until the site served again with no manual step; for (b) whether the task completed
after the lease and how long it took. Exits non-zero when anything was lost or duplicated, a
task never completed, or the export in (d) did not fail cleanly. Figures: docs/reliability.md.
"""

# Size: one suite end to end (database, servers, clients, four scenarios, checks, report); its
# steps share the run's state and are only used here.

from __future__ import annotations

import argparse
import html
import json
import multiprocessing as mp
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
LEASE_SECONDS = 5
WORKER_IDS = ("faults-worker-1", "faults-worker-2")
RESEND_FOR_SECONDS = 60.0
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)


# --- what a resident sees --------------------------------------------------------------------


def page_words(data: bytes, n: int = 14) -> str:
    """The title and the first words of a page, as a resident would read them."""
    text = data.decode("utf-8", "replace")
    title = TITLE.search(text)
    body = text[title.end() :] if title else text
    words = " ".join(html.unescape(TAGS.sub(" ", body)).split())
    head = " ".join(html.unescape(title[1]).split()) + " | " if title else ""
    return (head + " ".join(words.split()[:n]))[:160]


@dataclass
class Record:
    """One client's view of a scenario."""

    tokens: list[str] = field(default_factory=list)  # every form sent (acknowledged or not)
    acks: list[tuple[str, str]] = field(default_factory=list)  # (token, opinion number)
    events: list[tuple[float, bool]] = field(default_factory=list)  # (wall time, served?)
    seen: Counter = field(default_factory=Counter)  # (method, status, first words) -> count
    conn_errors: int = 0
    gave_up: int = 0

    def served(self) -> None:
        self.events.append((time.time(), True))

    def failed(self, method: str, status: int, words: str) -> None:
        self.events.append((time.time(), False))
        self.seen[(method, status, words)] += 1


def client_main(index: int, conf: dict, stop, out) -> None:
    """A resident at a browser: GET the form, POST it, again, until ``stop`` is set."""
    from bench.intake import (
        HIDDEN,
        RECEIPT,
        RECEIPT_COOKIE,
        Browser,
        ConnectionFailed,
        OpinionGenerator,
    )

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    browser = Browser(conf["port"])
    generator = OpinionGenerator(conf["schema"], seed=conf["seed"] * 1000 + index)
    record = Record()
    path = conf["path"]
    while not stop.is_set():
        try:
            status, _headers, data = browser.request("GET", path)
        except ConnectionFailed:
            record.conn_errors += 1
            record.events.append((time.time(), False))
            time.sleep(0.1)
            continue
        found = dict(HIDDEN.findall(data.decode("utf-8", "replace"))) if status == 200 else {}
        if status != 200 or len(found) < 2:
            record.failed("GET", status, page_words(data))
            time.sleep(0.2)
            continue
        record.served()
        opinion = generator.opinion()
        fields = [("csrfmiddlewaretoken", found["csrfmiddlewaretoken"]), ("token", found["token"])]
        body = urlencode(fields + opinion.fields).encode()
        record.tokens.append(found["token"])
        deadline = time.monotonic() + RESEND_FOR_SECONDS
        while True:
            try:
                status, headers, data = browser.request("POST", path, body)
            except ConnectionFailed:
                record.conn_errors += 1
                record.events.append((time.time(), False))
                if time.monotonic() > deadline:
                    record.gave_up += 1
                    break
                time.sleep(0.1)
                continue
            if status == 302:
                cookie = next(
                    (c for c in headers.get_all("Set-Cookie") or [] if c.startswith("tj_receipt=")),
                    "",
                )
                sent = RECEIPT.search(headers.get("Location") or "")
                number = RECEIPT_COOKIE.match(cookie)
                if sent and number:
                    record.acks.append((found["token"], number[2]))
                    record.served()
                else:
                    record.failed("POST", status, f"redirect to {headers.get('Location')}")
                break
            record.failed("POST", status, page_words(data))
            if status < 500 or time.monotonic() > deadline:
                record.gave_up += status >= 500
                break
            time.sleep(0.5)  # the resident reads the page, then sends the same form again
        time.sleep(conf.get("think", 0.0))
    out.put(record)


class Residents:
    """``n`` client processes loading the opinion form until ``stop()``."""

    def __init__(self, n: int, conf: dict, think: float = 0.0):
        conf = {**conf, "think": think}
        ctx = mp.get_context("fork")
        self.stop_event = ctx.Event()
        self.queue = ctx.Queue()
        self.procs = [
            ctx.Process(
                target=client_main, args=(i, conf, self.stop_event, self.queue), daemon=True
            )
            for i in range(n)
        ]
        for proc in self.procs:
            proc.start()

    def stop(self) -> list[Record]:
        self.stop_event.set()
        records = [self.queue.get(timeout=RESEND_FOR_SECONDS + 30) for _ in self.procs]
        for proc in self.procs:
            proc.join(timeout=10)
        return records


# --- the servers -------------------------------------------------------------------------------


class Servers:
    """gunicorn and two task workers, restarted by ``respawn`` as a supervisor would."""

    def __init__(self, env: dict[str, str], scratch: Path, port: int):
        from bench.pages import start_gunicorn

        self.env, self.scratch, self.port = env, scratch, port
        self.gunicorn = start_gunicorn(env, port, workers=2)
        self.workers: dict[str, subprocess.Popen] = {}
        self.restarts = 0
        for worker_id in WORKER_IDS:
            self.start_worker(worker_id)

    def start_worker(self, worker_id: str) -> None:
        log = open(self.scratch / f"{worker_id}.log", "ab")  # noqa: SIM115 - kept by the process
        self.workers[worker_id] = subprocess.Popen(
            [
                PYTHON,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--worker-id",
                worker_id,
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill_worker(self, worker_id: str) -> str:
        """SIGKILL, then start a worker again at once, as a supervisor would, under a new id
        (as the library's default random id is): the killed worker's task is then taken back
        through the lease, not as the restarted worker's own. Returns the new id."""
        proc = self.workers.pop(worker_id)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        self.restarts += 1
        new_id = f"{worker_id.split('.')[0]}.{self.restarts}"
        self.start_worker(new_id)
        return new_id

    def worker_logs(self) -> str:
        return "".join(p.read_text(errors="replace") for p in self.scratch.glob("faults-*.log"))

    def alive(self) -> dict[str, bool]:
        return {wid: proc.poll() is None for wid, proc in self.workers.items()}

    def stop(self) -> None:
        from bench.pages import stop

        for proc in self.workers.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.workers.values():
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        stop(self.gunicorn)


def pg_ctl(*args: str) -> None:
    """``pg_ctl`` on the suite's own data folder, as the user that owns it (pgserver runs the
    server as ``pgserver`` when started by root)."""
    import pgserver

    from cms.config.embedded_db import DATA_DIR

    user = "pgserver" if os.geteuid() == 0 else None
    pgserver.pg_ctl(["-w", *args], pgdata=DATA_DIR, user=user, timeout=120)


# --- the database, read directly ---------------------------------------------------------------


def db():
    from bench.intake import db_connect

    return db_connect()


def register_check(tokens: list[str], acks: list[tuple[str, str]]) -> dict:
    with db() as conn:
        rows = conn.execute(
            "SELECT idempotency_token::text, id::text FROM feedback_submission "
            "WHERE idempotency_token = ANY(%s::uuid[])",
            [tokens],
        ).fetchall()
    stored = Counter(token for token, _ in rows)
    number_of = dict(rows)
    acked = {token for token, _ in acks}
    lost = [t for t, n in acks if t not in number_of]
    wrong = [t for t, n in acks if t in number_of and number_of[t] != n]
    duplicated = sum(n - 1 for n in stored.values() if n > 1)
    duplicated += sum(n - 1 for n in Counter(n for _, n in acks).values() if n > 1)
    return {
        "sent": len(set(tokens)),
        "acknowledged": len(acked),
        "stored": len(rows),
        "lost": len(lost) + len(wrong),
        "duplicated": duplicated,
        "stored_without_receipt": len([t for t in stored if t not in acked]),
    }


def task_row(task_id: str) -> tuple[str, list, object, object] | None:
    with db() as conn:
        return conn.execute(
            "SELECT status, worker_ids, started_at, finished_at "
            "FROM django_tasks_database_dbtaskresult WHERE id = %s",
            [task_id],
        ).fetchone()


def job_row(job_id: int) -> tuple[str, int, int, str, dict]:
    with db() as conn:
        return conn.execute(
            "SELECT status, done, total, result_file, params FROM feedback_staffjob WHERE id = %s",
            [job_id],
        ).fetchone()


def queue_due() -> int:
    with db() as conn:
        return conn.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE status IN ('READY', 'RUNNING') AND (run_after <= now() OR run_after >= "
            "'9999-01-01')"
        ).fetchone()[0]


def wait_for(condition, timeout: float, step: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return None


# --- Django steps, run in a process of their own with the suite's environment -------------------


def django_step(env: dict[str, str], *args: str) -> dict:
    from bench.pages import run_step

    out = run_step(env, "-m", "bench.faults", "--step", *args, timeout=600)
    return json.loads(out.strip().splitlines()[-1])


def _step(args: list[str]) -> None:
    import django

    django.setup()
    name, rest = args[0], args[1:]
    result = STEPS[name](*rest)
    print(json.dumps(result))


def step_bulk(n_regroup: str, n_export: str) -> dict:
    """Two consultations of generated opinions (bulk inserted, no task queued), and a staff
    user who asks for the exports."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from bench.campaigns import make_consultation, submissions_for
    from bench.textgen import generate
    from feedback.models import Submission

    items = generate(int(n_regroup), seed=13)
    regroup, export = make_consultation(), make_consultation()
    with transaction.atomic():
        Submission.objects.bulk_create(submissions_for(regroup, items, 0), batch_size=2000)
        n, offset = int(n_export), 10_000_000
        while n > 0:
            chunk = items[: min(n, len(items))]
            Submission.objects.bulk_create(submissions_for(export, chunk, offset), batch_size=2000)
            n, offset = n - len(chunk), offset + len(chunk)
    user, _ = get_user_model().objects.get_or_create(
        username="faults-analyst", defaults={"is_staff": True}
    )
    return {"regroup": regroup.pk, "export": export.pk, "user": user.pk}


def step_regroup(consultation_id: str) -> dict:
    from feedback.campaigns.tasks import regroup_task

    return {"task": str(regroup_task.enqueue(int(consultation_id)).id)}


def step_export(consultation_id: str, user_id: str) -> dict:
    from feedback.exports import files
    from feedback.models import StaffJob

    job = StaffJob.objects.create(
        kind=files.EXPORT_KIND,
        consultation_id=int(consultation_id),
        requested_by_id=int(user_id),
        params={"scope": "register", "format": "xlsx", "suppressed": False, "language": "zh-hans"},
    )
    return {"job": job.pk, "task": str(files.run_export.enqueue(job.pk).id)}


def step_job_message(job_id: str) -> dict:
    from django.utils import translation

    from feedback.exports import files
    from feedback.models import StaffJob

    job = StaffJob.objects.get(pk=int(job_id))
    out = {"status": job.status, "failure": (job.params or {}).get("failure", "")}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            out[language] = files.failure_message(job)
    return out


def step_grouping_check(consultation_id: str) -> dict:
    from django.db.models import Count

    from feedback.models import CampaignGroup, CampaignMember, Submission, TextSignature

    cid = int(consultation_id)
    opinions = Submission.objects.filter(consultation_id=cid, withdrawn=False).count()
    signatures = TextSignature.objects.filter(submission__consultation_id=cid)
    members = CampaignMember.objects.filter(group__consultation_id=cid)
    twice = (
        members.values("submission_id").annotate(n=Count("pk")).filter(n__gt=1).count()
        + signatures.values("submission_id").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    return {
        "opinions": opinions,
        "signed": signatures.count(),
        "groups": CampaignGroup.objects.filter(consultation_id=cid).count(),
        "grouped": members.count(),
        "in_two_groups_or_signed_twice": twice,
    }


STEPS = {
    "bulk": step_bulk,
    "regroup": step_regroup,
    "export": step_export,
    "job_message": step_job_message,
    "grouping_check": step_grouping_check,
}


# --- the scenarios ---------------------------------------------------------------------------


@dataclass
class Outcome:
    name: str
    what: str
    register: dict = field(default_factory=dict)
    fivexx: int = 0
    seen: list[str] = field(default_factory=list)
    recovered_s: float | None = 0.0
    notes: list[str] = field(default_factory=list)
    ok: bool = True

    def lines(self) -> list[str]:
        r = self.register
        out = [f"({self.name}) {self.what}"]
        if r:
            out.append(
                f"    opinions: {r['acknowledged']} acknowledged, {r['stored']} stored, "
                f"{r['lost']} lost, {r['duplicated']} duplicated, "
                f"{r['stored_without_receipt']} stored without a receipt given "
                f"({r['sent']} forms sent)"
            )
            out.append(f"    5xx seen by residents: {self.fivexx}")
            out += [f"      {line}" for line in self.seen]
            served = (
                "no interruption seen"
                if self.recovered_s == 0
                else f"{self.recovered_s:.1f} s"
                if self.recovered_s is not None
                else "NOT within the run"
            )
            out.append(f"    site served again after: {served} (no manual step)")
        out += [f"    {note}" for note in self.notes]
        out.append(f"    => {'OK' if self.ok else 'FAILED'}")
        return out


def summarise(outcome: Outcome, records: list[Record], fault_at: float) -> None:
    tokens = [t for r in records for t in r.tokens]
    acks = [a for r in records for a in r.acks]
    outcome.register = register_check(tokens, acks)
    seen: Counter = Counter()
    for r in records:
        seen.update(r.seen)
    outcome.fivexx = sum(n for (_m, status, _w), n in seen.items() if status >= 500)
    outcome.seen = [
        f"{n} x {method} {status}: {words}" for (method, status, words), n in seen.most_common(4)
    ]
    conn_errors = sum(r.conn_errors for r in records)
    if conn_errors:
        outcome.notes.append(f"connection errors (resent by the client): {conn_errors}")
    gave_up = sum(r.gave_up for r in records)
    if gave_up:
        outcome.notes.append(
            f"forms given up after {RESEND_FOR_SECONDS:.0f} s of errors: {gave_up}"
        )
    events = sorted(e for r in records for e in r.events if e[0] >= fault_at)
    failures = [t for t, ok in events if not ok]
    if not failures:
        outcome.recovered_s = 0.0
    else:
        after = [t for t, ok in events if ok and t > failures[-1]]
        outcome.recovered_s = (after[0] - fault_at) if after else None
    r = outcome.register
    outcome.ok = outcome.ok and r["lost"] == 0 and r["duplicated"] == 0
    outcome.ok = outcome.ok and outcome.recovered_s is not None


def scenario_a(ctx) -> Outcome:
    from bench.intake import worker_pids

    outcome = Outcome("a", "a gunicorn worker killed with SIGKILL during intake")
    residents = Residents(ctx.clients, ctx.conf)
    time.sleep(ctx.phase)
    pids = worker_pids(ctx.servers.gunicorn.pid)
    fault_at = time.time()
    os.kill(pids[0], signal.SIGKILL)
    outcome.notes.append(f"SIGKILL to gunicorn worker {pids[0]} (workers before: {pids})")
    time.sleep(ctx.phase * 2)
    records = residents.stop()
    outcome.notes.append(f"gunicorn workers after: {worker_pids(ctx.servers.gunicorn.pid)}")
    summarise(outcome, records, fault_at)
    return outcome


def _kill_in_the_middle(ctx, outcome: Outcome, what: str, task_id: str, middle) -> None:
    """Wait until the task runs and ``middle()`` says it is half-way, SIGKILL its worker, then
    wait for another worker to complete it after the lease."""
    running = wait_for(lambda: (row := task_row(task_id)) and row[0] == "RUNNING" and row, 120)
    if not running:
        outcome.notes.append(f"{what}: the task never started")
        outcome.ok = False
        return
    if not wait_for(middle, 120, step=0.02):
        outcome.notes.append(f"{what}: could not catch the task in the middle")
    worker_id = task_row(task_id)[1][-1]
    killed_at = time.monotonic()
    new_id = ctx.servers.kill_worker(worker_id)
    state = task_row(task_id)[0]
    outcome.notes.append(
        f"{what}: SIGKILL to task worker {worker_id} while the task was {state.lower()} "
        f"(started again as {new_id})"
    )
    if state != "RUNNING":
        outcome.notes.append(f"{what}: the task had finished before the kill (too little data)")
    done = wait_for(
        lambda: (row := task_row(task_id)) and row[0] in ("SUCCESSFUL", "FAILED") and row, 180, 0.2
    )
    if not done:
        outcome.ok = False
        outcome.notes.append(f"{what}: the task did NOT complete within 180 s")
        return
    took = time.monotonic() - killed_at
    status, worker_ids = done[0], done[1]
    outcome.ok = outcome.ok and status == "SUCCESSFUL"
    outcome.notes.append(
        f"{what}: task {status.lower()} after the lease ({LEASE_SECONDS} s), {took:.1f} s after "
        f"the kill, at attempt {len(worker_ids)} (workers {', '.join(worker_ids)})"
    )


def scenario_b(ctx) -> Outcome:
    outcome = Outcome("b", "a task worker killed with SIGKILL in the middle of a task")
    # A few residents taking their time: under a flood of opinions the grouping tasks they
    # queue (due 2 s later) come before tasks queued without a time (django-tasks-db's order).
    residents = Residents(max(1, ctx.clients // 2), ctx.conf, think=1.0)
    fault_at = time.time()
    # The regroup: killed once it has signed some of the opinions again.
    cid = ctx.bulk["regroup"]
    task = django_step(ctx.env, "regroup", str(cid))["task"]

    running_since: list[float] = []

    def regroup_half_way() -> bool:
        """Running for a second (its first transaction dropped the signatures) and not all
        opinions signed again yet."""
        if not running_since:
            running_since.append(time.monotonic())
        if time.monotonic() - running_since[0] < 1.0:
            return False
        with db() as conn:
            signed = conn.execute(
                "SELECT count(*) FROM feedback_textsignature t JOIN feedback_submission s "
                "ON s.id = t.submission_id WHERE s.consultation_id = %s",
                [cid],
            ).fetchone()[0]
        return signed < ctx.regroup_opinions

    _kill_in_the_middle(ctx, outcome, "campaign regroup", task, regroup_half_way)
    check = django_step(ctx.env, "grouping_check", str(cid))
    outcome.notes.append(
        f"campaign regroup: {check['signed']} of {check['opinions']} opinions signed, "
        f"{check['groups']} groups holding {check['grouped']} opinions, "
        f"{check['in_two_groups_or_signed_twice']} in two groups or signed twice"
    )
    outcome.ok = outcome.ok and check["signed"] == check["opinions"]
    outcome.ok = outcome.ok and check["in_two_groups_or_signed_twice"] == 0
    # The export: killed after its first progress write (10,000 rows).
    started = django_step(ctx.env, "export", str(ctx.bulk["export"]), str(ctx.bulk["user"]))
    job = started["job"]
    _kill_in_the_middle(
        ctx,
        outcome,
        "XLSX export",
        started["task"],
        lambda: (row := job_row(job)) and row[0] == "running" and 0 < row[1] < row[2],
    )
    status, done, total, result_file, _params = job_row(job)
    files = sorted(p.name for p in ctx.export_dir.glob(f"job-{job}-*"))
    outcome.notes.append(
        f"XLSX export: job {status}, {done} of {total} rows, files of the job in EXPORT_DIR: "
        f"{files}"
    )
    outcome.ok = outcome.ok and status == "done" and len(files) == 1
    outcome.ok = outcome.ok and not files[0].endswith(".part") and Path(result_file).is_file()
    summarise(outcome, residents.stop(), fault_at)
    return outcome


def scenario_c(ctx) -> Outcome:
    outcome = Outcome("c", "PostgreSQL restarted (pg_ctl restart -m fast) under intake load")
    residents = Residents(ctx.clients, ctx.conf)
    time.sleep(ctx.phase)
    fault_at = time.time()
    t = time.monotonic()
    pg_ctl("-m", "fast", "restart")
    outcome.notes.append(f"pg_ctl restart took {time.monotonic() - t:.1f} s")
    time.sleep(ctx.phase * 2)
    records = residents.stop()
    summarise(outcome, records, fault_at)
    t = time.monotonic()
    drained = wait_for(lambda: queue_due() == 0 or None, 120, 0.2)
    alive = ctx.servers.alive()
    lost_db = ctx.servers.worker_logs().count("lost the database")
    outcome.notes.append(
        f"task workers alive after the restart: {sum(alive.values())} of {len(alive)}; "
        f"'lost the database' logged {lost_db} times in all; queue of due tasks "
        + ("drained" if drained else "NOT drained")
        + f" {time.monotonic() - t:.1f} s after the load stopped"
    )
    outcome.ok = outcome.ok and all(alive.values()) and drained is not None
    return outcome


def _unwritable(folder: Path) -> str:
    if os.geteuid() == 0 and shutil.which("chattr"):
        done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
        if done.returncode == 0:
            return "chattr +i (root ignores file modes)"
    folder.chmod(0)
    return "chmod 0"


def _writable(folder: Path) -> None:
    if shutil.which("chattr"):
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True, check=False)
    folder.chmod(0o700)


def scenario_d(ctx) -> Outcome:
    outcome = Outcome("d", "the export folder made unwritable")
    residents = Residents(max(1, ctx.clients // 2), ctx.conf, think=1.0)
    fault_at = time.time()
    folder = ctx.export_dir
    folder.mkdir(mode=0o700, exist_ok=True)
    how = _unwritable(folder)
    try:
        started = django_step(ctx.env, "export", str(ctx.bulk["regroup"]), str(ctx.bulk["user"]))
        t = time.monotonic()
        final = wait_for(
            lambda: (row := job_row(started["job"]))[0] in ("done", "failed") and row, 60
        )
        message = django_step(ctx.env, "job_message", str(started["job"]))
    finally:
        _writable(folder)
    if not final:
        outcome.ok = False
        outcome.notes.append("export on the unwritable folder: still not finished after 60 s")
    else:
        outcome.notes.append(
            f"export on the folder made unwritable ({how}): job {final[0]} after "
            f"{time.monotonic() - t:.1f} s, failure '{message['failure']}'"
        )
        outcome.notes.append(f"  the official reads (zh-hans): {message['zh-hans']}")
        outcome.notes.append(f"  the official reads (en): {message['en']}")
        outcome.ok = outcome.ok and final[0] == "failed" and message["failure"] == "read_only"
    fixed = time.monotonic()
    again = django_step(ctx.env, "export", str(ctx.bulk["regroup"]), str(ctx.bulk["user"]))
    final = wait_for(lambda: (row := job_row(again["job"]))[0] in ("done", "failed") and row, 120)
    outcome.notes.append(
        "folder writable again: the next export "
        + (f"{final[0]} {time.monotonic() - fixed:.1f} s later" if final else "did not finish")
        + " (no restart)"
    )
    outcome.ok = outcome.ok and bool(final) and final[0] == "done"
    summarise(outcome, residents.stop(), fault_at)
    return outcome


SCENARIOS = {"a": scenario_a, "b": scenario_b, "c": scenario_c, "d": scenario_d}


@dataclass
class Context:
    env: dict[str, str]
    servers: Servers
    conf: dict
    bulk: dict
    export_dir: Path
    clients: int
    phase: float
    regroup_opinions: int


# --- the run -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default="a,b,c,d", help="which scenarios (a,b,c,d)")
    parser.add_argument("--clients", type=int, default=4, help="resident processes (4)")
    parser.add_argument("--phase", type=float, default=5.0, help="seconds of load before a fault")
    parser.add_argument("--regroup-opinions", type=int, default=6000)
    parser.add_argument("--export-opinions", type=int, default=40000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--step", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        _step(args.step)
        return 0
    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if not chosen or set(chosen) - set(SCENARIOS):
        parser.error(f"scenarios: a subset of {','.join(SCENARIOS)}")
    if "cms.config.embedded_db" in sys.modules:
        raise SystemExit("the embedded database module was imported before TINGJIAN_PGDATA")
    scratch = Path(tempfile.mkdtemp(prefix="tingjian-faults-"))
    # The suite's own PostgreSQL, never the shared .pgdata: set before anything imports
    # cms.config.embedded_db (it reads the variable once).
    os.environ["TINGJIAN_PGDATA"] = str(scratch / "pgdata")
    started = time.monotonic()
    sys.path.insert(0, str(BASE_DIR))
    servers = None
    outcomes: list[Outcome] = []
    try:
        from bench.intake import Browser, FormSchema, bench_environment, prepare
        from bench.pages import free_port, wait_ready

        print(f"Fault suite in {scratch} (PostgreSQL of its own, 127.0.0.1 only)", flush=True)
        env = bench_environment("cms.config.settings.production", str(scratch), fresh=True)
        env.update(
            TINGJIAN_PGDATA=str(scratch / "pgdata"),
            WAGTAILADMIN_BASE_URL=env.get("WAGTAILADMIN_BASE_URL")
            or "https://consult.example.invalid",
            EXPORT_DIR=str(scratch / "exports"),
            TASK_LEASE_SECONDS=str(LEASE_SECONDS),
            TASK_MAX_ATTEMPTS="3",
            TASK_RECONNECT_MAX_SECONDS="2",
            LOG_LEVEL="WARNING",
            # The suite's throw-away server has only its superuser (cms.E004 refuses that in
            # production); the roles are not what this suite tests.
            SILENCED_SYSTEM_CHECKS=",".join(
                filter(None, [env.get("SILENCED_SYSTEM_CHECKS", ""), "cms.E004"])
            ),
        )
        slug, _consultation_id = prepare(env)
        print("Inserting the opinions of the regroup and the export…", flush=True)
        bulk = django_step(env, "bulk", str(args.regroup_opinions), str(args.export_opinions))
        port = free_port()
        servers = Servers(env, scratch, port)
        wait_ready(f"http://127.0.0.1:{port}/healthz", servers.gunicorn)
        path = f"/consultations/{slug}/opinion/"
        status, _headers, data = Browser(port).request("GET", path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        ctx = Context(
            env=env,
            servers=servers,
            conf={
                "port": port,
                "path": path,
                "schema": FormSchema(data.decode()).as_dict(),
                "seed": 7,
            },
            bulk=bulk,
            export_dir=scratch / "exports",
            clients=args.clients,
            phase=args.phase,
            regroup_opinions=args.regroup_opinions,
        )
        print(f"Ready after {time.monotonic() - started:.0f} s; scenarios {','.join(chosen)}")
        for name in chosen:
            print(f"== scenario ({name})", flush=True)
            outcome = SCENARIOS[name](ctx)
            outcomes.append(outcome)
            print("\n".join(outcome.lines()), flush=True)
    finally:
        if servers is not None:
            servers.stop()
        try:
            pg_ctl("-m", "fast", "stop")
        except Exception as exc:  # noqa: BLE001 - report and go on cleaning up
            print(f"could not stop the suite's PostgreSQL: {exc}")
        if not args.keep:
            if (scratch / "exports").exists():
                _writable(scratch / "exports")
            shutil.rmtree(scratch, ignore_errors=True)
    print()
    print(
        f"Fault suite: {len(outcomes)} scenarios in {time.monotonic() - started:.0f} s, {os.cpu_count()} CPUs"
    )
    for outcome in outcomes:
        print("\n".join(outcome.lines()))
    ok = len(outcomes) == len(chosen) and all(o.ok for o in outcomes)
    print("ALL OK" if ok else "SOMETHING FAILED (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
