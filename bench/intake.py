"""Post the real opinion form under load next to a bare one-INSERT view, then count receipts.

    python -m bench.intake [--duration 60] [--connections 8] [--kill-worker]

Served like bench/pages.py: gunicorn (2 sync workers, production settings, throw-away keys,
BENCH_VIEWS=1) on a database of its own (``tingjian_bench_intake``) in the embedded PostgreSQL,
seeded with the waste-to-energy consultation of the demo (ten clauses, two alternatives, four
questions). Rate limits are raised for this server only: every client shares 127.0.0.1.

Each of N client processes behaves like a browser without JavaScript, one opinion at a time:
GET the form (CSRF cookie, CSRF token and the form's idempotency token), POST it with a
generated Chinese opinion, read the stored opinion's number from the receipt cookie of the
redirect (the server only redirects after the transaction has committed; the code itself is
never in a URL) and keep (token, number). A connection error is retried
with the same body, as a browser's resend would. A sample of POSTs is sent a second time on
purpose: it must give the same receipt and store nothing.

What is timed. To measure the POST path and not the form page, the run alternates *fill*
phases, where every client GETs the forms it will send (timed apart, reported as GET), and
*post* windows, where all clients only POST (accepted/s, p50/p95). Windows of the real form and
of the bare view (``/bench/one-insert``, cms/bench_views.py: one INSERT of a similar row,
same middleware, CSRF checked, same client code) alternate, so both see the same machine load;
the post windows add up to ``--duration`` seconds per target.

Afterwards the database is read directly: every receipt a client received must exist exactly
once, belong to the token that was sent and carry all its parts (0 lost, 0 duplicated).
With ``--kill-worker`` one gunicorn worker is killed with SIGKILL in the middle of a window of
the real form (gunicorn starts a new one); the checks must still find 0 lost and 0 duplicated.

Goal (issue 3): ratio form/bare accepted/s >= 0.5 and POST p95 <= 25 ms at 8 connections.
"""

# Size: one benchmark run end to end (servers, load, worker kill, register check, figures); its
# steps share the run's state and are only used here.

from __future__ import annotations

import argparse
import functools
import http.client
import math
import multiprocessing as mp
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from bench import pages, textgen
from bench.pages import free_port, run_step, start_gunicorn, stop, wait_ready

BASE_DIR = Path(__file__).resolve().parents[1]
BENCH_DB = "tingjian_bench_intake"
BARE_PATH = "/bench/one-insert"
GOAL_RATIO = 0.5
GOAL_P95_MS = 25.0
# The receipt page is code-free (issue 12): the redirect says sent/again and a signed cookie
# names the stored opinion by its number (``<id>:<timestamp>:<signature>``).
RECEIPT = re.compile(r"/receipt/\?(sent|again)=1")
RECEIPT_COOKIE = re.compile(r"^tj_receipt=((\d+):[^;]+)")
HIDDEN = re.compile(r'name="(csrfmiddlewaretoken|token)" value="([^"]+)"')
PLAIN = re.compile(r"^(csrfmiddlewaretoken|token)=(\S+)$", re.M)
# Whatever limit is hit would turn the run into a test of the limiter; the limiter still runs.
BENCH_RATE_LIMIT = "100000000,60"
FEEDBACK_TABLES = (
    "feedback_alternativepreference",
    "feedback_questionanswer",
    "feedback_clausecomment",
    "feedback_submission",
    "feedback_contact",
)


def loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# --- the opinions ------------------------------------------------------------------------------


class FormSchema(HTMLParser):
    """Names and choices of the fields of the opinion form, read from its HTML once."""

    def __init__(self, html: str):
        super().__init__()
        self.in_form = False
        self.radios: dict[str, list[str]] = {}
        self.checkboxes: dict[str, list[str]] = {}
        self.flags: list[str] = []  # single checkboxes without a value (quote_consent)
        self.texts: list[str] = []  # text, email, tel inputs and textareas
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.in_form = "tj-opinion-form" in (a.get("class") or "")
        if not self.in_form or not a.get("name"):
            return
        name, kind = a["name"], (a.get("type") or "text")
        if tag == "textarea" or (tag == "input" and kind in ("text", "email", "tel")):
            self.texts.append(name)
        elif tag == "input" and kind == "radio":
            self.radios.setdefault(name, []).append(a.get("value") or "")
        elif tag == "input" and kind == "checkbox":
            if "value" in a:
                self.checkboxes.setdefault(name, []).append(a["value"])
            else:
                self.flags.append(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False

    def as_dict(self) -> dict:
        return {
            "radios": self.radios,
            "checkboxes": self.checkboxes,
            "flags": self.flags,
            "texts": self.texts,
        }


@dataclass
class Opinion:
    fields: list[tuple[str, str]]
    parts: tuple[int, int, int, int]  # preferences, answers, clause comments, contact


STANCE_WEIGHTS = {"oppose": 40, "conditional": 20, "support": 25, "unsure": 10, "": 5}
AFFECTED_WEIGHTS = {"live": 50, "work": 10, "own": 15, "other": 10, "": 15}
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "example.cn")


class OpinionGenerator:
    """Realistic opinions on the waste-to-energy plant for the fields of ``schema``.

    Most are individual texts (bench/textgen.py) of 20–400 characters; about one in ten is a
    copy of one of a few form letters (some verbatim, so the server marks exact duplicates);
    some give only a stance and answers. Stances, alternative preferences, questionnaire
    answers, comments on zero to three clauses, affected status, and for about a quarter an
    e-mail address or a mobile number for the reply.
    """

    def __init__(self, schema: dict, seed: int):
        self.rng = random.Random(seed)
        self.schema = schema
        self.dec = textgen.DECISIONS["plant"]
        letters = random.Random(20260301)  # the same letters in every client
        self.letters = [textgen.letter_template(letters, self.dec) for _ in range(4)]

    def _choice(self, weights: dict[str, int], allowed: list[str]) -> str:
        keys = [k for k in weights if k in allowed or k == ""]
        return self.rng.choices(keys, weights=[weights[k] for k in keys])[0]

    def _sentences(self, k: int) -> str:
        topics = list(self.dec.topics) + ["compensation", "procedure"]
        return "".join(
            textgen._end(textgen._fill(self.rng, textgen._composed(self.rng, t), self.dec))
            for t in self.rng.sample(topics, k=min(k, len(topics)))
        )

    def _comment(self) -> str:
        roll = self.rng.random()
        if roll < 0.72:
            return textgen.organic_opinion(self.rng, self.dec)
        if roll < 0.84:
            template, comm = self.rng.choice(self.letters)
            if self.rng.random() < 0.5:
                return template
            return textgen.near_duplicate(self.rng, template, comm, self.dec)
        return ""

    def opinion(self) -> Opinion:
        rng, s = self.rng, self.schema
        out: list[tuple[str, str]] = []
        prefs = answers = clauses = 0
        stance = self._choice(STANCE_WEIGHTS, s["radios"].get("stance", []))
        if stance:
            out.append(("stance", stance))
        for name, values in s["radios"].items():
            if name.startswith("pref_") and rng.random() < 0.7:
                out.append((name, rng.choice(values)))
                prefs += 1
            elif name.startswith("q_") and rng.random() < 0.6:
                # Scales lean to the ends, as opinions on a siting do.
                out.append((name, rng.choice(values + values[:1] + values[-1:])))
                answers += 1
        for name, values in s["checkboxes"].items():
            if name.startswith("q_") and rng.random() < 0.5:
                for value in rng.sample(values, k=rng.randint(1, min(3, len(values)))):
                    out.append((name, value))
                answers += 1
        clause_names = [n for n in s["texts"] if n.startswith("clause_")]
        k = rng.choices((0, 1, 2, 3), weights=(60, 25, 10, 5))[0]
        for name in rng.sample(clause_names, k=min(k, len(clause_names))):
            number = name.removeprefix("clause_")
            text = rng.choice(("", f"第{number}条", "这一条", "本条")) + self._sentences(
                rng.randint(1, 2)
            )
            out.append((name, text))
            clauses += 1
        for name in s["texts"]:
            if name.startswith("q_") and rng.random() < 0.2:
                out.append((name, self._sentences(1)[:500]))
                answers += 1
        comment = self._comment()
        if comment:
            out.append(("comment", comment))
        if not (stance or comment or answers or prefs or clauses):
            out.append(("stance", "unsure"))
        affected = self._choice(AFFECTED_WEIGHTS, s["radios"].get("affected_status", []))
        if affected:
            out.append(("affected_status", affected))
        contact = 0
        roll = rng.random()
        if roll < 0.15:
            user = "".join(rng.choices("abcdefghijkmnpqrstuvwxyz", k=rng.randint(4, 9)))
            out.append(
                ("contact_email", f"{user}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}")
            )
            contact = 1
        elif roll < 0.25:
            out.append(
                ("contact_phone", f"1{rng.choice('3456789')}{rng.randint(0, 10**9 - 1):09d}")
            )
            contact = 1
        if "quote_consent" in s["flags"] and rng.random() < 0.3:
            out.append(("quote_consent", "on"))
        return Opinion(out, (prefs, answers, clauses, contact))


# --- one client --------------------------------------------------------------------------------


class ConnectionFailed(Exception):
    pass


class Browser:
    """One client: keeps its cookies; gunicorn's sync workers close every connection."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None):
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "Accept-Language": "zh-CN,zh;q=0.9",
            "User-Agent": "tingjian-bench-intake",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            raise ConnectionFailed(type(exc).__name__) from exc
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, data


@dataclass
class Stock:
    token: str
    body: bytes
    parts: tuple[int, int, int, int]


@dataclass
class PostStats:
    target: str
    start: float = math.inf
    end: float = 0.0
    post_ms: list[float] = field(default_factory=list)
    acks: list[tuple[str, str, tuple[int, int, int, int]]] = field(default_factory=list)
    acked_again: int = 0  # a resend after a connection error that found the first one stored
    failures: Counter = field(default_factory=Counter)
    failure_sample: str = ""
    conn_errors: int = 0
    retried: int = 0
    gave_up: int = 0
    double_ms: list[float] = field(default_factory=list)
    double_same: int = 0
    double_wrong: list[str] = field(default_factory=list)
    ran_out: bool = False


def client_main(index: int, conf: dict, pipe) -> None:
    """A client process: obeys ("fill", target, n), ("post", target, deadline), ("quit",)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    browser = Browser(conf["port"])
    generator = OpinionGenerator(conf["schema"], seed=conf["seed"] * 1000 + index)
    double_rng = random.Random(index)
    stock: dict[str, list[Stock]] = {"form": [], "bare": []}
    while True:
        command = pipe.recv()
        if command[0] == "quit":
            return
        if command[0] == "fill":
            _, target, n = command
            get_ms, errors = [], 0
            while len(stock[target]) < n:
                t = time.perf_counter()
                try:
                    status, _headers, data = browser.request("GET", conf["paths"][target])
                except ConnectionFailed:
                    errors += 1
                    time.sleep(0.05)
                    continue
                get_ms.append((time.perf_counter() - t) * 1000)
                if status != 200:
                    raise SystemExit(f"GET {conf['paths'][target]} answered {status}")
                pattern = PLAIN if target == "bare" else HIDDEN
                found = dict(pattern.findall(data.decode()))
                opinion = generator.opinion()
                fields = [("csrfmiddlewaretoken", found["csrfmiddlewaretoken"])]
                fields += [("token", found["token"]), *opinion.fields]
                stock[target].append(
                    Stock(found["token"], urlencode(fields).encode(), opinion.parts)
                )
            pipe.send({"get_ms": get_ms, "get_errors": errors})
        elif command[0] == "post":
            _, target, deadline = command
            stats = PostStats(target)
            path = conf["paths"][target] if target == "bare" else conf["paths"]["form"]
            while time.monotonic() < deadline:
                if not stock[target]:
                    stats.ran_out = True
                    break
                item = stock[target].pop()
                stats.start = min(stats.start, time.monotonic())
                t = time.perf_counter()
                result = post_until_answered(browser, path, item.body, stats)
                elapsed = (time.perf_counter() - t) * 1000
                stats.end = time.monotonic()
                if result is None:
                    continue
                status, location, cookie = result
                match = RECEIPT.search(location or "")
                number = RECEIPT_COOKIE.match(cookie or "")
                if status != 302 or not match or not number:
                    stats.failures[status] += 1
                    stats.failure_sample = stats.failure_sample or f"{status} {location}"
                    continue
                stats.post_ms.append(elapsed)
                stats.acks.append((item.token, number[1], item.parts))
                stats.acked_again += match[1] == "again"
                if double_rng.random() < conf["double_share"]:
                    t = time.perf_counter()
                    again = post_until_answered(browser, path, item.body, stats)
                    stats.double_ms.append((time.perf_counter() - t) * 1000)
                    again_match = RECEIPT.search((again or (0, "", ""))[1] or "")
                    again_number = RECEIPT_COOKIE.match((again or (0, "", ""))[2] or "")
                    if (
                        again_match
                        and again_number
                        and again_number[2] == number[2]
                        and again_match[1] == "again"
                    ):
                        stats.double_same += 1
                    else:
                        stats.double_wrong.append(f"{number[2]} -> {again}")
                    stats.end = time.monotonic()
            pipe.send(stats)


def post_until_answered(browser: Browser, path: str, body: bytes, stats: PostStats):
    """POST; on a connection error send the same body again, as a browser's resend does."""
    for attempt in range(200):
        try:
            status, headers, _data = browser.request("POST", path, body)
        except ConnectionFailed:
            stats.conn_errors += 1
            if attempt == 0:
                stats.retried += 1
            time.sleep(0.05)
            continue
        cookies = headers.get_all("Set-Cookie") or []
        receipt = next((c for c in cookies if c.startswith("tj_receipt=")), "")
        return status, headers.get("Location"), receipt
    stats.gave_up += 1
    return None


# --- the run -----------------------------------------------------------------------------------


def bench_environment(settings_module: str, scratch: str, *, fresh: bool) -> dict[str, str]:
    # All clients share one address: the rate limits are raised for this server only.
    limits = dict.fromkeys(
        (
            "RATELIMIT_SUBMIT_PER_ADDRESS",
            "RATELIMIT_SUBMIT_PER_CONSULTATION",
            "RATELIMIT_RECEIPT_PER_ADDRESS",
        ),
        BENCH_RATE_LIMIT,
    )
    return pages.bench_environment(
        settings_module, scratch, fresh=fresh, database=BENCH_DB, extra=limits
    )


def db_connect():
    import psycopg

    from cms.config.embedded_db import ensure_running

    host = ensure_running()["HOST"]
    return psycopg.connect(dbname=BENCH_DB, user="postgres", host=host, autocommit=True)


def prepare(env: dict[str, str]) -> tuple[str, int]:
    """Migrate, seed, empty the register; return the consultation's slug and id."""
    print("Preparing the benchmark database (migrate, seed, collectstatic)…", flush=True)
    run_step(env, "manage.py", "migrate", "--noinput", "-v", "0")
    run_step(env, "manage.py", "createcachetable")
    run_step(env, "manage.py", "collectstatic", "--noinput", "-v", "0")
    page_path = run_step(env, "-m", "bench.seed", timeout=300).strip().splitlines()[-1]
    slug = page_path.strip("/").split("/")[-1]
    ensure_table = "from cms.bench_views import ensure_bench_table; ensure_bench_table()"
    run_step(env, "manage.py", "shell", "-c", ensure_table)
    with db_connect() as conn:
        # Each run starts from an empty register, so every row can be accounted for.
        conn.execute(f"TRUNCATE {', '.join(FEEDBACK_TABLES)}, bench_opinion CASCADE")  # noqa: S608
        conn.execute("DELETE FROM tingjian_cache")
        # Tasks the opinions enqueued in earlier runs (no task worker runs during the bench).
        if conn.execute("SELECT to_regclass('django_tasks_database_dbtaskresult')").fetchone()[0]:
            conn.execute("TRUNCATE django_tasks_database_dbtaskresult")
        row = conn.execute("SELECT id FROM consultations_consultation WHERE slug = %s", [slug])
        consultation_id = row.fetchone()[0]
    return slug, consultation_id


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_by_group(master: int, clients: list[int]) -> Counter:
    """CPU seconds used so far by the web workers, PostgreSQL, the clients and the rest.

    Read from /proc for every live process; a window's share is the difference of two
    snapshots (a process that exits in between, like a killed worker, is lost from both).
    """
    web = set(worker_pids(master)) | {master}
    clients_set = set(clients)
    used: Counter = Counter()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        seconds = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        pid = int(entry.name)
        if pid in web:
            used["web"] += seconds
        elif pid in clients_set:
            used["clients"] += seconds
        elif comm.startswith("postgres"):
            used["db"] += seconds
        else:
            used["other"] += seconds
    return used


def worker_pids(master: int) -> list[int]:
    done = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True, check=False
    )
    return [int(p) for p in done.stdout.split()]


@dataclass
class Totals:
    name: str
    window_s: float = 0.0
    post_ms: list[float] = field(default_factory=list)
    get_ms: list[float] = field(default_factory=list)
    acks: list = field(default_factory=list)
    warmup_acks: list = field(default_factory=list)  # stored too, so checked, but not timed
    stats: list[PostStats] = field(default_factory=list)
    cpu: Counter = field(default_factory=Counter)  # CPU seconds per process group, post windows

    @property
    def accepted_per_s(self) -> float:
        return len(self.acks) / self.window_s if self.window_s else 0.0

    def pct(self, values: list[float], q: float) -> float:
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def count(self, attr: str) -> int:
        return sum(getattr(s, attr) for s in self.stats)


class Coordinator:
    def __init__(self, args, port: int, schema: dict, paths: dict[str, str], master: int):
        self.args = args
        self.master = master
        ctx = mp.get_context("fork")
        conf = {
            "port": port,
            "schema": schema,
            "paths": paths,
            "seed": args.seed,
            "double_share": args.double_share,
        }
        self.pipes, self.procs = [], []
        for i in range(args.connections):
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(target=client_main, args=(i, conf, theirs), daemon=True)
            proc.start()
            self.pipes.append(ours)
            self.procs.append(proc)

    def broadcast(self, command) -> list:
        for pipe in self.pipes:
            pipe.send(command)
        return [pipe.recv() for pipe in self.pipes]

    def fill(self, target: str, per_client: int, totals: Totals | None) -> None:
        for reply in self.broadcast(("fill", target, per_client)):
            if totals is not None:
                totals.get_ms += reply["get_ms"]

    def window(
        self, target: str, seconds: float, on_middle=None, cpu: Counter | None = None
    ) -> list[PostStats]:
        """One post window; adds the CPU seconds each process group used to ``cpu``."""
        clients = [proc.pid for proc in self.procs]
        before = cpu_by_group(self.master, clients) if cpu is not None else None
        deadline = time.monotonic() + seconds
        for pipe in self.pipes:
            pipe.send(("post", target, deadline))
        if on_middle is not None:
            time.sleep(seconds / 2)
            on_middle()
        stats = [pipe.recv() for pipe in self.pipes]
        if cpu is not None:
            after = cpu_by_group(self.master, clients)
            for group in after:
                cpu[group] += max(0.0, after[group] - before[group])
        return stats

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(("quit",))
        for proc in self.procs:
            proc.join(timeout=10)


def kill_one_worker(master: int, window: int, notes: list[str]) -> None:
    pids = worker_pids(master)
    os.kill(pids[0], signal.SIGKILL)
    notes.append(f"SIGKILL to gunicorn worker {pids[0]} in form window {window} (workers {pids})")
    print(f"  {notes[-1]}", flush=True)


def run_load(args, coordinator: Coordinator, server) -> tuple[Totals, Totals, list[str]]:
    """Warm up, then alternate fill phases and post windows of both targets."""
    totals = {"form": Totals("opinion form POST"), "bare": Totals("bare one-INSERT POST")}
    notes: list[str] = []
    rate = {}
    print(f"Warming up ({args.warmup} s per target)…", flush=True)
    for target in ("form", "bare"):
        coordinator.fill(target, 40, None)
        stats = coordinator.window(target, args.warmup)
        done = sum(len(s.acks) for s in stats)
        for s in stats:
            totals[target].warmup_acks += s.acks
        rate[target] = max(1.0, done / window_span(stats) / args.connections)
    windows = max(1, math.ceil(args.duration / args.window))
    kill_at = windows // 2 if args.kill_worker else -1
    for w in range(windows):
        for target in ("form", "bare"):
            need = math.ceil(rate[target] * args.window * 2.0) + 10
            coordinator.fill(target, need, totals[target])
            on_middle = None
            if target == "form" and w == kill_at:
                on_middle = functools.partial(kill_one_worker, server.pid, w + 1, notes)
            stats = coordinator.window(target, args.window, on_middle, totals[target].cpu)
            span = window_span(stats)
            t = totals[target]
            t.window_s += span
            t.stats += stats
            for s in stats:
                t.post_ms += s.post_ms
                t.acks += s.acks
            done = sum(len(s.acks) for s in stats)
            ran_out = sum(s.ran_out for s in stats)
            rate[target] = max(rate[target] * 0.5, done / span / args.connections)
            if ran_out:  # the machine got faster: fetch more forms next time
                rate[target] *= 2
            posts = sorted(ms for s in stats for ms in s.post_ms)
            p95 = posts[int(0.95 * len(posts))] if posts else float("nan")
            print(
                f"  window {w + 1}/{windows} {target:4}: {done:6d} accepted in {span:5.1f} s "
                f"= {done / span:7.1f}/s, p95 {p95:6.1f} ms"
                + (f", {ran_out} clients ran out of forms" if ran_out else "")
                + f"  [load {loadavg()}]",
                flush=True,
            )
    if args.kill_worker:
        notes.append(f"gunicorn workers after the run: {worker_pids(server.pid)}")
    return totals["form"], totals["bare"], notes


def window_span(stats: list[PostStats]) -> float:
    """From the first POST sent to the last answer received, over all clients."""
    started = [s.start for s in stats if s.start < math.inf]
    if not started:
        return 0.1
    return max(0.1, max(s.end for s in stats) - min(started))


@dataclass
class Check:
    acknowledged: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    unacknowledged: int = 0  # stored but never acknowledged to a client
    wrong_receipt: int = 0
    parts_expected: tuple = ()
    parts_stored: tuple = ()
    detail: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (
            self.lost
            or self.duplicated
            or self.wrong_receipt
            or self.parts_expected != self.parts_stored
        )


def check_register(conn, consultation_id: int, form: Totals, bare: Totals) -> dict[str, Check]:
    """Compare what the clients were told with what the database holds."""
    results = {}
    queries = {
        "form": (
            "SELECT idempotency_token::text, id::text FROM feedback_submission "
            "WHERE consultation_id = %s",
            [consultation_id],
        ),
        "bare": ("SELECT idempotency_token::text, id::text FROM bench_opinion", []),
    }
    for key, totals in (("form", form), ("bare", bare)):
        acks = totals.acks + totals.warmup_acks
        check = Check(acknowledged=len(acks))
        sql, params = queries[key]
        rows = conn.execute(sql, params).fetchall()
        check.stored = len(rows)
        by_token = Counter(token for token, _ in rows)
        receipt_of = dict(rows)
        acked_tokens = Counter(token for token, _, _ in acks)
        acked_receipts = Counter(_number(receipt) for _, receipt, _ in acks)
        check.duplicated = sum(n - 1 for n in by_token.values() if n > 1)
        check.duplicated += sum(n - 1 for n in acked_receipts.values() if n > 1)
        check.duplicated += sum(len(s.double_wrong) for s in totals.stats)
        for token, receipt, _parts in acks:
            stored = receipt_of.get(token)
            if stored is None:
                check.lost += 1
                check.detail.append(f"lost: {receipt} (token {token})")
            elif stored != _number(receipt):
                check.wrong_receipt += 1
                check.detail.append(f"token {token}: told {receipt}, stored {stored}")
        check.unacknowledged = sum(1 for token in by_token if token not in acked_tokens)
        if key == "form":
            expected = [0, 0, 0, 0]
            for _, _, parts in acks:
                for i, n in enumerate(parts):
                    expected[i] += n
            check.parts_expected = tuple(expected)
            counts = []
            for table in FEEDBACK_TABLES[:3]:
                counts.append(
                    conn.execute(
                        f"SELECT count(*) FROM {table} p JOIN feedback_submission s "  # noqa: S608
                        "ON s.id = p.submission_id WHERE s.consultation_id = %s",
                        [consultation_id],
                    ).fetchone()[0]
                )
            counts.append(
                conn.execute(
                    "SELECT count(*) FROM feedback_contact c JOIN feedback_submission s "
                    "ON s.contact_ref = c.ref WHERE s.consultation_id = %s",
                    [consultation_id],
                ).fetchone()[0]
            )
            check.parts_stored = tuple(counts)
        results[key] = check
    return results


def _number(receipt_cookie: str) -> str:
    """The opinion's number in a receipt cookie's value (``<id>:<timestamp>:<signature>``)."""
    return receipt_cookie.split(":", 1)[0]


def check_receipt_pages(port: int, acks: list, sample: int) -> tuple[int, int]:
    """GET a sample of receipt pages with their receipt cookies: each must show its opinion's
    code (the resident's next step)."""
    ok = 0
    picked = random.Random(1).sample(acks, k=min(sample, len(acks)))
    with db_connect() as conn:
        codes = dict(
            conn.execute(
                "SELECT id::text, receipt FROM feedback_submission WHERE id = ANY(%s::bigint[])",
                [[int(_number(receipt)) for _t, receipt, _p in picked]],
            ).fetchall()
        )
    for _token, receipt, _parts in picked:
        browser = Browser(port)
        browser.cookies["tj_receipt"] = receipt
        status, _headers, data = browser.request("GET", "/consultations/receipt/")
        code = codes.get(_number(receipt), "")
        shown = f"{code[:4]}-{code[4:8]}-{code[8:]}"
        ok += status == 200 and bool(code) and shown in data.decode()
    return ok, len(picked)


def report(args, form: Totals, bare: Totals, checks: dict[str, Check], notes, loads) -> bool:
    ratio = form.accepted_per_s / bare.accepted_per_s if bare.accepted_per_s else 0.0
    print()
    print(
        f"{args.duration} s of post windows per target ({args.window} s each, alternating), "
        f"{args.connections} client processes, gunicorn {args.workers} "
        + (f"gthread workers of {args.threads} threads, " if args.threads > 1 else "sync workers, ")
        + f"production settings, {os.cpu_count()} CPUs{', one worker killed' if args.kill_worker else ''}"
    )
    print(f"load average (1/5/15 min): start {loads[0]}, end {loads[1]}")
    header = f"{'':22} {'accepted/s':>10} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
    print(header + f" {'accepted':>8} {'failed':>6} {'conn err':>8}")
    for t in (form, bare):
        failed = sum(sum(s.failures.values()) + s.gave_up for s in t.stats)
        print(
            f"{t.name:22} {t.accepted_per_s:10.1f} {t.pct(t.post_ms, 0.5):7.1f} "
            f"{t.pct(t.post_ms, 0.95):7.1f} {t.pct(t.post_ms, 0.99):7.1f} {len(t.acks):8d} "
            f"{failed:6d} {t.count('conn_errors'):8d}"
        )
    for t in (form, bare):
        if t.get_ms:
            print(
                f"  (untimed for the goal) GET of the {t.name.split(' POST')[0]}: "
                f"{len(t.get_ms)} requests, p50 {t.pct(t.get_ms, 0.5):.1f} ms, "
                f"p95 {t.pct(t.get_ms, 0.95):.1f} ms"
            )
        doubles = sum(len(s.double_ms) for s in t.stats)
        same = t.count("double_same")
        if doubles:
            print(
                f"  {t.name}: {doubles} sent twice on purpose, {same} got the same receipt "
                f"(p50 of the second send {statistics.median(sum((s.double_ms for s in t.stats), [])):.1f} ms)"
            )
        for s in t.stats:
            if s.failure_sample:
                print(f"  failure in {t.name}: {s.failure_sample} ({dict(s.failures)})")
                break
        if t.count("retried"):
            print(
                f"  {t.name}: {t.count('retried')} POSTs resent after a connection error "
                f"({t.count('conn_errors')} errors); {t.count('acked_again')} of them had "
                f"been stored before the error and got their first receipt back"
            )
    print(
        "  CPU per accepted POST in the post windows, ms (web workers / PostgreSQL / clients / rest):"
    )
    for t in (form, bare):
        n = max(1, sum(len(s.acks) + len(s.double_ms) for s in t.stats))
        groups = " / ".join(f"{t.cpu[g] * 1000 / n:.1f}" for g in ("web", "db", "clients", "other"))
        print(f"    {t.name:22} {groups}  (total {sum(t.cpu.values()) * 1000 / n:.1f})")
    for note in notes:
        print(f"  {note}")
    ratio_ok = ratio >= GOAL_RATIO
    p95 = form.pct(form.post_ms, 0.95)
    p95_ok = p95 <= GOAL_P95_MS
    print(
        f"ratio form/bare accepted/s: {ratio:.2f} (goal >= {GOAL_RATIO}): {'met' if ratio_ok else 'NOT met'}"
    )
    print(
        f"form POST p95: {p95:.1f} ms (goal <= {GOAL_P95_MS:.0f} ms): {'met' if p95_ok else 'NOT met'}"
    )
    for t in (form, bare):
        # Each client sends its next POST as soon as the last is answered, so the mean time in
        # the system is connections / throughput (Little's law), whatever the code does.
        if t.accepted_per_s:
            print(
                f"  {t.name}: {args.connections} connections / {t.accepted_per_s:.1f} per s = "
                f"{args.connections / t.accepted_per_s * 1000:.1f} ms mean by Little's law "
                f"(measured mean {statistics.fmean(t.post_ms):.1f} ms)"
            )
    all_ok = True
    for key, check in checks.items():
        print(
            f"register check ({key}): {check.acknowledged} receipts acknowledged, "
            f"{check.stored} rows stored, {check.lost} lost, {check.duplicated} duplicated, "
            f"{check.wrong_receipt} wrong receipt, {check.unacknowledged} stored unacknowledged"
            + (
                f"; parts (preferences, answers, clause comments, contacts) expected "
                f"{check.parts_expected}, stored {check.parts_stored}"
                if check.parts_expected
                else ""
            )
            + (": OK" if check.ok else ": FAILED")
        )
        for line in check.detail[:10]:
            print(f"    {line}")
        all_ok = all_ok and check.ok
    return all_ok and ratio_ok and p95_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=60, help="post seconds per target (60)")
    parser.add_argument("--window", type=int, default=10, help="seconds per post window (10)")
    parser.add_argument("--connections", type=int, default=8, help="client processes (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker; above 1: gthread workers (1)"
    )
    parser.add_argument("--warmup", type=int, default=3, help="warm-up seconds per target (3)")
    parser.add_argument("--kill-worker", action="store_true", help="SIGKILL a worker mid-run")
    parser.add_argument(
        "--double-share", type=float, default=0.02, help="share of POSTs sent twice (0.02)"
    )
    parser.add_argument("--seed", type=int, default=3, help="seed of the opinion generator")
    parser.add_argument(
        "--receipt-sample", type=int, default=50, help="receipt pages to GET afterwards (50)"
    )
    parser.add_argument(
        "--settings", default="cms.config.settings.production", help="Django settings module"
    )
    parser.add_argument(
        "--fresh", action="store_true", help="drop and recreate the benchmark database first"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 600 or not 1 <= args.connections <= 64:
        parser.error("duration must be 1–600 s and connections 1–64")

    sys.path.insert(0, str(BASE_DIR))
    with tempfile.TemporaryDirectory(prefix="tingjian-bench-intake-") as scratch:
        env = bench_environment(args.settings, scratch, fresh=args.fresh)
        slug, consultation_id = prepare(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        form_path = f"/consultations/{slug}/opinion/"
        server = start_gunicorn(env, port, args.workers, args.threads)
        coordinator = None
        try:
            wait_ready(base + "/healthz", server)
            status, _headers, data = Browser(port).request("GET", form_path)
            if status != 200:
                raise SystemExit(f"{form_path} answered {status}")
            schema = FormSchema(data.decode()).as_dict()
            status, _headers, _data = Browser(port).request("GET", BARE_PATH)
            if status != 200:
                raise SystemExit(f"{BARE_PATH} answered {status} (is it in cms/config/urls.py?)")
            loads = [loadavg()]
            coordinator = Coordinator(
                args, port, schema, {"form": form_path, "bare": BARE_PATH}, server.pid
            )
            form, bare, notes = run_load(args, coordinator, server)
            loads.append(loadavg())
            coordinator.close()
            coordinator = None
            pages_ok, pages = check_receipt_pages(port, form.acks, args.receipt_sample)
            notes.append(f"receipt pages checked afterwards: {pages_ok} of {pages} show their code")
        finally:
            if coordinator is not None:
                for proc in coordinator.procs:
                    proc.kill()
            stop(server)
        with db_connect() as conn:
            checks = check_register(conn, consultation_id, form, bare)
    ok = report(args, form, bare, checks, notes, loads)
    return 0 if ok and pages_ok == pages else 1


if __name__ == "__main__":
    sys.exit(main())
