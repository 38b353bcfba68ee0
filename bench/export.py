"""Benchmark of the register exports: CSV (streamed) and XLSX (task) of 1M opinions.

    .venv/bin/python -m bench.export [--n 1000000] [--fresh] [--only csv|xlsx]

Loads ``n`` generated opinions (texts from bench/textgen.py, with preferences, answers, clause
comments, themes, contact references and receipts) into a database of its own,
``tingjian_bench_export`` on the embedded PostgreSQL, with COPY. Then each export runs in a fresh
process under ``flock /tmp/bench.lock`` (so it does not overlap other benchmarks), through the
same code as the staff screens: the CSV view's StreamingHttpResponse, read to the end, and the
XLSX task (``run_export.call``) writing its file with progress. Each process reports its wall
time and peak RSS (``getrusage``); the output is also scanned for receipt codes and contact
references, which must never appear. Goal: each ≤ 2 min and ≤ 200 MB RSS. The data is kept
between runs (``--fresh`` rebuilds it).
"""

# Size: one benchmark run end to end (data, CSV, XLSX, memory, checks); its steps are only used
# here.

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import pages

BASE_DIR = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
BENCH_DB = "tingjian_bench_export"
GOAL_SECONDS = 120
GOAL_RSS_MB = 200
LOCK = "/tmp/bench.lock"  # noqa: S108 - shared by every benchmark on this machine
RECEIPT = re.compile(rb"BX\d{10}")
CONTACT = re.compile(rb"CREF[0-9a-f]{16}")


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- environment ---------------------------------------------------------------------------


def bench_environment(*, fresh: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="cms.config.settings.production",
        # Fixed, bench-only values: the pseudonyms are the same from run to run.
        SECRET_KEY="bench-export-not-a-secret-" + "x" * 30,
        CONTACT_ENCRYPTION_KEY="YmVuY2gtZXhwb3J0LW5vdC1hLXNlY3JldC0wMDAwMDA=",
        AUDIT_CHAIN_KEY="bench:bench-export-audit-key-not-a-secret-0000",
        RATELIMIT_TRUSTED_PROXIES="0",
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
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=pages.bench_database_url(fresh=fresh, name=BENCH_DB),
        LOG_LEVEL="WARNING",
        # Export files: a private folder of the benchmark's own (production requires one).
        EXPORT_DIR=os.environ.get("EXPORT_DIR")
        or str(Path(tempfile.gettempdir()) / "tingjian-bench-exports"),
    )
    return env


def run(env, *args, timeout=3600) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [PYTHON, *args], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"step failed: {' '.join(args)}")
    return result.stdout


# --- loading (runs inside Django) -------------------------------------------------------------


def _value_for(field):
    """Default for a column this loader does not know (a field added later by someone else)."""
    from django.db.models import NOT_PROVIDED

    if field.null:
        return None
    if field.default is not NOT_PROVIDED:
        return field.get_default()
    return ""


def load(n: int) -> dict:
    import random
    import uuid
    from datetime import UTC, datetime, timedelta

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bench.textgen import iter_generate
    from consultations.models import (
        Alternative,
        Clause,
        Consultation,
        Department,
        DraftVersion,
        Question,
        StaffProfile,
    )
    from consultations.roles import Role
    from feedback.models import (
        AlternativePreference,
        ClauseComment,
        Coding,
        QuestionAnswer,
        Submission,
        Theme,
    )

    existing = Consultation.objects.filter(slug="bench-export").first()
    if existing and Submission.objects.filter(consultation=existing).count() >= n:
        user = get_user_model().objects.get(username="bench-analyst")
        return {"consultation": existing.pk, "user": user.pk, "loaded": False}
    if existing:
        raise SystemExit("the bench database holds fewer opinions than asked: use --fresh")

    from django.contrib.auth.models import Group

    department, _ = Department.objects.get_or_create(
        slug="bench-export", defaults={"name": "基准测试局", "name_en": "Bench bureau"}
    )
    consultation = Consultation.objects.create(
        title="生活垃圾焚烧发电厂选址（导出基准）",
        slug="bench-export",
        kind="major_decision",
        department=department,
        live=True,
        opens_at=datetime(2026, 3, 1, tzinfo=UTC),
        closes_at=datetime(2026, 4, 15, tzinfo=UTC),
    )
    user = get_user_model().objects.create(username="bench-analyst", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=Role.ANALYST)[0])
    StaffProfile.objects.update_or_create(user=user, defaults={"department": department})
    alternatives = [
        Alternative.objects.create(consultation=consultation, title=t, summary="…", sort_order=i)
        for i, t in enumerate(["甲址", "乙址", "丙址"])
    ]
    q_single = Question.objects.create(
        consultation=consultation, type="single", text="您是否同意选址？", options="同意\n不同意"
    )
    q_scale = Question.objects.create(consultation=consultation, type="scale", text="满意度")
    version = DraftVersion.objects.create(consultation=consultation, number=1)
    clauses = [
        Clause.objects.create(version=version, number=i, text=f"第{i}条的内容。")
        for i in range(1, 21)
    ]
    themes = [
        Theme.objects.create(consultation=consultation, name=name, sort_order=i)
        for i, name in enumerate(["健康", "选址", "补偿", "交通", "程序", "环境", "其他"])
    ]

    rng = random.Random(7)
    print(f"generating texts (load {loadavg()})", flush=True)
    pool = [text for text, _ts, _c in iter_generate(50_000, seed=3)]
    channels = ["web"] * 8 + ["phone", "letter", "walk_in", "hotline_12345"]
    stances = ["support", "conditional", "oppose", "oppose", "unsure", ""]
    affected = ["live", "live", "work", "own", "other", ""]
    moderation = ["pending", "shown", "shown", "hidden"]
    start = datetime(2026, 3, 1, tzinfo=UTC)
    span = 45 * 86400
    fields = [f for f in Submission._meta.concrete_fields if not f.primary_key]
    columns = ["id", *[f.column for f in fields]]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM feedback_submission")
        first_id = cursor.fetchone()[0] + 1

    t0 = time.perf_counter()
    raw = connection.connection  # the psycopg connection under Django's
    with raw.cursor() as cur:
        sub_copy = f"COPY feedback_submission ({', '.join(columns)}) FROM STDIN"
        with cur.copy(sub_copy) as copy:
            for i in range(n):
                sid = first_id + i
                received = start + timedelta(seconds=rng.uniform(0, span))
                channel = rng.choice(channels)
                text = pool[i % len(pool)]
                if i % 97 == 0:
                    text += f" 我的电话13{i % 10}{i:08d}"[:40]
                withdrawn = i % 100 == 0
                known = {
                    "consultation": consultation.pk,
                    "channel": channel,
                    "stance": rng.choice(stances),
                    "affected_status": rng.choice(affected),
                    "comment": text,
                    "receipt": f"BX{sid:010d}",
                    "received_at": received,
                    "submitted_on": received.date() if channel != "web" else None,
                    "updated_at": received,
                    "status": "received",
                    "withdrawn": withdrawn,
                    "withdrawn_at": received if withdrawn else None,
                    "quote_consent": False,
                    "text_hash": f"{hash(text) & (2**64 - 1):064x}",
                    "is_exact_duplicate": False,
                    "idempotency_token": uuid.UUID(int=rng.getrandbits(128), version=4),
                    "contact_ref": f"CREF{rng.getrandbits(64):016x}" if i % 3 == 0 else "",
                    "moderation_state": rng.choice(moderation),
                    "no_theme_reason": "",
                    "no_theme_by": None,
                    "search_vector": None,
                    "entered_by": None,
                }
                copy.write_row(
                    [sid, *[known[f.name] if f.name in known else _value_for(f) for f in fields]]
                )
        print(f"submissions: {n} rows in {time.perf_counter() - t0:.1f} s", flush=True)
        t1 = time.perf_counter()
        with cur.copy(
            "COPY feedback_alternativepreference (submission_id, alternative_id, preference) "
            "FROM STDIN"
        ) as copy:
            for i in range(0, n, 2):
                for alt in rng.sample(alternatives, rng.randint(1, 2)):
                    copy.write_row(
                        [
                            first_id + i,
                            alt.pk,
                            rng.choice(["prefer", "acceptable", "not_acceptable"]),
                        ]
                    )
        with cur.copy(
            "COPY feedback_questionanswer (submission_id, question_id, options, scale, text) "
            "FROM STDIN"
        ) as copy:
            for i in range(0, n, 3):
                copy.write_row([first_id + i, q_single.pk, [rng.randint(1, 2)], None, ""])
                copy.write_row([first_id + i, q_scale.pk, [], rng.randint(1, 5), ""])
        with cur.copy(
            "COPY feedback_clausecomment (submission_id, clause_id, text) FROM STDIN"
        ) as copy:
            for i in range(0, n, 6):
                copy.write_row([first_id + i, rng.choice(clauses).pk, pool[(i * 7) % len(pool)]])
        now = datetime.now(UTC)
        with cur.copy(
            "COPY feedback_coding (submission_id, theme_id, source, coded_by_id, coded_at) "
            "FROM STDIN"
        ) as copy:
            for i in range(n):
                if i % 5 < 3:
                    for theme in rng.sample(themes, rng.randint(1, 2)):
                        copy.write_row([first_id + i, theme.pk, "manual", user.pk, now])
        print(f"parts in {time.perf_counter() - t1:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('feedback_submission', 'id'), "
            "(SELECT MAX(id) FROM feedback_submission))"
        )
        for table in (
            "feedback_submission",
            "feedback_alternativepreference",
            "feedback_questionanswer",
            "feedback_clausecomment",
            "feedback_coding",
        ):
            cursor.execute(f"ANALYZE {table}")  # noqa: S608 - constant names
    counts = {
        "submissions": Submission.objects.filter(consultation=consultation).count(),
        "preferences": AlternativePreference.objects.count(),
        "answers": QuestionAnswer.objects.count(),
        "clause_comments": ClauseComment.objects.count(),
        "codings": Coding.objects.count(),
    }
    print(json.dumps(counts), flush=True)
    return {"consultation": consultation.pk, "user": user.pk, "loaded": True}


# --- one measured export (runs inside Django, in its own process) ---------------------------


def measure(fmt: str, consultation_id: int, user_id: int) -> dict:
    import itertools
    import resource
    from datetime import datetime

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory
    from django.utils import translation

    from feedback.exports import files, rows
    from feedback.exports import views as analysis_views
    from feedback.models import StaffJob

    user = get_user_model().objects.get(pk=user_id)
    load_at_start = loadavg()  # after the lock was taken (load_before is before waiting)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    leaks = 0
    t0 = time.perf_counter()
    if fmt == "csv":
        request = RequestFactory().get(f"/admin/analysis/{consultation_id}/export/register.csv")
        request.user = user
        response = analysis_views.export_csv(request, consultation_id, "register")
        size = rows = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            rows += chunk.count(b"\n")
            leaks += len(RECEIPT.findall(chunk)) + len(CONTACT.findall(chunk))
        rows -= 1  # header
        path = ""
    else:
        job = StaffJob.objects.create(
            kind=files.EXPORT_KIND,
            consultation_id=consultation_id,
            requested_by=user,
            params={"scope": "register", "format": "xlsx", "suppressed": False},
        )
        files.run_export.call(job.pk)
        job.refresh_from_db()
        path = job.result_file
        size, rows = Path(path).stat().st_size, job.done
    elapsed = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    valid = None
    if fmt == "xlsx":
        import zipfile
        from xml.parsers import expat

        from openpyxl import load_workbook

        # Not timed: the whole sheet must be well-formed XML (expat, no handlers) and openpyxl
        # must read the header and the first rows with their types.
        parser = expat.ParserCreate()
        with zipfile.ZipFile(path) as zf, zf.open("xl/worksheets/sheet1.xml") as sheet:
            while block := sheet.read(1 << 20):
                leaks += len(RECEIPT.findall(block)) + len(CONTACT.findall(block))
                parser.Parse(block, False)
        parser.Parse(b"", True)
        workbook = load_workbook(path, read_only=True)
        first = list(itertools.islice(workbook.active.iter_rows(values_only=True), 3))
        workbook.close()
        with translation.override(settings.LANGUAGE_CODE):
            header = rows.register_header()
        valid = list(first[0]) == header and isinstance(first[1][3], datetime)
        Path(path).unlink()
    return {
        "format": fmt,
        "rows": rows,
        "seconds": round(elapsed, 1),
        "peak_rss_mb": round(rss, 1),
        "rss_at_start_mb": round(rss_before, 1),
        "bytes": size,
        "leaks": leaks,
        "valid_xlsx": valid,
        "load_at_start": load_at_start,
    }


# --- driver ----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the bench data")
    parser.add_argument("--only", choices=["csv", "xlsx"])
    parser.add_argument("--load", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    parser.add_argument("--consultation", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.load:
        print("BENCH_LOAD " + json.dumps(load(args.n)), flush=True)
        return 0
    if args.measure:
        print("BENCH_EXPORT " + json.dumps(measure(args.measure, args.consultation, args.user)))
        return 0

    env = bench_environment(fresh=args.fresh)
    print(f"migrating {BENCH_DB} (load {loadavg()})", flush=True)
    run(env, "manage.py", "migrate", "--noinput", "-v", "0")
    out = run(env, "-m", "bench.export", "--load", "--n", str(args.n))
    print(out.rstrip(), flush=True)
    info = json.loads(out.split("BENCH_LOAD ")[-1])
    results = []
    for fmt in [args.only] if args.only else ["csv", "xlsx"]:
        before = loadavg()
        cmd = ["flock", LOCK, PYTHON, "-m", "bench.export", "--measure", fmt]
        cmd += ["--consultation", str(info["consultation"]), "--user", str(info["user"])]
        result = subprocess.run(  # noqa: S603
            cmd, env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=3600
        )
        if result.returncode:
            sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
            return 1
        figures = json.loads(result.stdout.split("BENCH_EXPORT ")[-1])
        figures["load_before"], figures["load_after"] = before, loadavg()
        results.append(figures)
        print(json.dumps(figures), flush=True)
    ok = True
    print("\n| export | rows | time | peak RSS | file | leaks | load at start → after |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        passed = (
            r["seconds"] <= GOAL_SECONDS
            and r["peak_rss_mb"] <= GOAL_RSS_MB
            and r["leaks"] == 0
            and r.get("valid_xlsx") is not False
        )
        ok &= passed
        print(
            f"| {r['format'].upper()} | {r['rows']:,} | {r['seconds']} s | {r['peak_rss_mb']} MB "
            f"| {r['bytes'] / 1e6:.0f} MB | {r['leaks']} "
            f"| {r.get('load_at_start', r['load_before'])} → {r['load_after']} "
            f"| {'ok' if passed else 'MISSED'}"
        )
    print(
        f"goal: ≤ {GOAL_SECONDS} s and ≤ {GOAL_RSS_MB} MB each, no receipt or contact reference, "
        "XLSX well-formed and readable by openpyxl (checked after the timing)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
