"""Benchmark of campaign grouping through the incremental task path, on the database.

    flock /tmp/bench.lock .venv/bin/python -m bench.campaigns --n 20000 --batch 500
    flock /tmp/bench.lock .venv/bin/python -m bench.campaigns --n 100000 --full

Uses a database of its own on the embedded server (``tingjian_bench_campaigns``, dropped at the
end unless ``--keep``), migrated from scratch. Generated opinions with seeded campaigns
(bench/textgen.py) are inserted as ``Submission`` rows in arrival order, ``--batch`` at a time,
each batch committed, and after each commit ``feedback.campaigns.grouping.group_new_opinions_now``
runs, which is the first step of the ``opinions_arrived`` task the post_save hook enqueues (the
second, search indexing, is not timed here; batching is what happens when opinions arrive faster
than the worker: one run takes every opinion without a signature). Only the task calls are timed: wall time and this process's CPU time (the database
server's CPU is not in the latter). Then the groups are read back from ``CampaignMember`` and
scored against the seeded campaigns (pairwise precision/recall, feedback/analysis/evaluation.py).

``--full`` inserts everything first and times ``regroup()`` (the full re-analysis) instead,
with the process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import time
import uuid

BENCH_DB = "tingjian_bench_campaigns"


def setup_database(name: str, *, fresh: bool = True) -> str:
    """Create ``name`` on the embedded server, point Django at it, migrate; returns its URL."""
    from bench.pages import bench_database_url

    url = bench_database_url(fresh=fresh, name=name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:  # fields added in issue 4 before their migration exists
        cursor.execute(
            "ALTER TABLE feedback_textsignature "
            "ADD COLUMN IF NOT EXISTS text_hash varchar(64) NOT NULL DEFAULT '', "
            "ADD COLUMN IF NOT EXISTS indexed boolean NOT NULL DEFAULT false"
        )
        cursor.execute(
            "ALTER TABLE feedback_campaignscanstate "
            "ADD COLUMN IF NOT EXISTS generation integer NOT NULL DEFAULT 0"
        )
    return url


def drop_database(name: str) -> None:
    import psycopg
    from django.db import connections

    from cms.config.embedded_db import ensure_running

    connections.close_all()
    host = ensure_running()["HOST"]
    with psycopg.connect(dbname="postgres", user="postgres", host=host, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # noqa: S608


def load_average() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def make_consultation():
    from consultations.tests.factories import ConsultationFactory

    return ConsultationFactory()


def submissions_for(consultation, items, offset: int):
    from feedback.intake.services import OpinionData, normalised_text_hash
    from feedback.models import Submission

    return [
        Submission(
            consultation=consultation,
            comment=o.text,
            received_at=o.timestamp,
            receipt=f"B{offset + i:015d}",
            idempotency_token=uuid.uuid4(),
            text_hash=normalised_text_hash(OpinionData(comment=o.text)),
        )
        for i, o in enumerate(items)
    ]


def score(consultation, items, pks) -> object:
    from feedback.analysis.evaluation import score_grouping
    from feedback.models import CampaignMember

    group_of = dict(
        CampaignMember.objects.filter(group__consultation=consultation).values_list(
            "submission_id", "group_id"
        )
    )
    predicted = [("g", group_of[pk]) if pk in group_of else ("s", pk) for pk in pks]
    return score_grouping([o.campaign for o in items], predicted)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--full", action="store_true", help="time regroup() of all opinions")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args = parser.parse_args(argv)

    print(load_average())
    setup_database(BENCH_DB)
    from django.db import transaction

    from bench.textgen import generate
    from feedback.analysis.text import fold_for_matching
    from feedback.campaigns.grouping import group_new_opinions_now, regroup
    from feedback.models import CampaignGroup, Submission

    try:
        items = generate(args.n, seed=args.seed)
        fold_for_matching("")  # build the folding table outside the timed part
        consultation = make_consultation()
        pks: list[int] = []
        wall = cpu = 0.0
        insert_wall = 0.0
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        step = args.n if args.full else args.batch
        for start in range(0, args.n, step):
            t0 = time.perf_counter()
            with transaction.atomic():
                rows = Submission.objects.bulk_create(
                    submissions_for(consultation, items[start : start + step], start)
                )
            insert_wall += time.perf_counter() - t0
            pks.extend(r.pk for r in rows)
            if args.full:
                continue
            t0, c0 = time.perf_counter(), time.process_time()
            group_new_opinions_now(consultation.pk)
            wall += time.perf_counter() - t0
            cpu += time.process_time() - c0
        if args.full:
            t0, c0 = time.perf_counter(), time.process_time()
            regroup(consultation)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        what = "regroup() of all" if args.full else f"incremental task, batches of {args.batch}"
        print(
            f"{what}: {args.n:,} opinions in {wall:.1f} s wall ({args.n / wall:,.0f}/s), "
            f"{cpu:.1f} s CPU in this process ({args.n / cpu:,.0f} per CPU-second); "
            f"inserting took {insert_wall:.1f} s (not counted)"
        )
        s = score(consultation, items, pks)
        groups = CampaignGroup.objects.filter(consultation=consultation)
        print(
            f"pairwise precision {s.precision:.4f} recall {s.recall:.4f}; "
            f"item precision {s.item_precision:.4f} recall {s.item_recall:.4f}; "
            f"groups {groups.count()} (exact {groups.filter(kind='exact').count()}), "
            f"bursts {groups.filter(is_burst=True).count()}"
        )
        print(f"peak RSS {rss:.0f} MB (after generating the opinions: {rss_before:.0f} MB)")
        from feedback.campaigns.lsh import cache_for, forget_cache
        from feedback.models import CampaignScanState

        generation = CampaignScanState.objects.get(consultation=consultation).generation
        forget_cache()
        t0 = time.perf_counter()
        cache = cache_for(consultation.pk)
        cache.load(consultation.pk, generation)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        cache.load(consultation.pk, generation)
        warm = time.perf_counter() - t0
        print(
            f"LSH from {cache.count:,} stored signatures: cold load {cold:.2f} s "
            f"(what a task run without the per-process cache would pay), "
            f"check of a warm cache {warm * 1000:.0f} ms"
        )
        print(load_average())
    finally:
        if not args.keep:
            drop_database(BENCH_DB)


if __name__ == "__main__":
    main()
