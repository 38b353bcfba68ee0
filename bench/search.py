"""Benchmark of Chinese full-text search (feedback.search) on 1,000,000 opinions.

    flock /tmp/bench.lock .venv/bin/python -m bench.search [--n 1000000] [--distinct 40000] [--keep]

A database of its own on the embedded server (``tingjian_bench_search``, dropped at the end
unless ``--keep``), migrated from scratch, one consultation. ``--distinct`` generated opinions
(bench/textgen.py: several kinds of decisions, campaigns and individuals) are segmented by the
application's own ``segment_for_search`` (jieba search mode) and loaded into a staging table with
their ``to_tsvector('simple', …)``; the ``n`` opinions are then made in SQL (generate_series),
each taking one of those texts, a stance, a channel and an arrival time, so the term statistics
are those of the generated texts. The GIN index ``submission_search_gin`` is dropped during the
load and rebuilt after it, then VACUUM ANALYZE.

Timed: the analysts' search box path, ``feedback.search.query.search(consultation, q)`` through the
ORM — the first page (50 newest matches) and, separately, the total count — for two-character
words of different frequency and two-word queries, each run ``--reps`` times after one warm-up.
EXPLAIN (ANALYZE, BUFFERS) of the page and count queries for 焚烧 is printed.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench.campaigns import drop_database, load_average, make_consultation, setup_database

BENCH_DB = "tingjian_bench_search"
QUERIES = ["焚烧", "补偿", "噪声", "学校", "停车", "公交", "健康", "地铁", "垃圾 焚烧", "补偿标准"]


def load(consultation, n: int, distinct: int, seed: int) -> None:
    from django.db import connection

    from bench.textgen import iter_generate
    from feedback.analysis.text import segment_for_search

    t0 = time.perf_counter()
    texts = [text for text, _ts, _label in iter_generate(distinct, seed=seed)]
    words = [segment_for_search(t) for t in texts]
    print(f"generated and segmented {distinct:,} texts in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_text "
            "(id int PRIMARY KEY, comment text, words text, vec tsvector)"
        )
        with cursor.copy("COPY bench_text (id, comment, words) FROM STDIN") as copy:
            for i, (t, w) in enumerate(zip(texts, words, strict=True)):
                copy.write_row((i, t, w))
        cursor.execute("UPDATE bench_text SET vec = to_tsvector('simple', words)")
        cursor.execute("DROP INDEX IF EXISTS submission_search_gin")
        cursor.execute(
            """
            INSERT INTO feedback_submission (
                consultation_id, channel, stance, affected_status, comment, receipt,
                received_at, updated_at, status, withdrawn, quote_consent, text_hash,
                is_exact_duplicate, idempotency_token, contact_ref, moderation_state,
                no_theme_reason, search_vector)
            SELECT %s,
                   (ARRAY['web','web','web','phone','letter','hotline_12345'])[1 + g %% 6],
                   (ARRAY['support','oppose','conditional','unsure',''])[1 + (g / 7) %% 5],
                   (ARRAY['live','work','own','other',''])[1 + (g / 11) %% 5],
                   t.comment, 'S' || lpad(g::text, 15, '0'),
                   timestamptz '2026-03-01' + (g * interval '2.6 second'), now(), 'received',
                   false, false, md5(t.comment), false, gen_random_uuid(), '', 'pending', '',
                   t.vec
              FROM generate_series(1, %s) AS g
              JOIN bench_text t ON t.id = (g::bigint * 7919) %% %s
            """,
            [consultation.pk, n, distinct],
        )
        print(f"inserted {n:,} opinions in {time.perf_counter() - t0:.0f} s")
        t0 = time.perf_counter()
        cursor.execute(
            "CREATE INDEX submission_search_gin ON feedback_submission USING gin (search_vector)"
        )
        print(f"built the GIN index in {time.perf_counter() - t0:.0f} s")
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute("VACUUM ANALYZE feedback_submission")
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('feedback_submission')), "
            "pg_size_pretty(pg_relation_size('submission_search_gin'))"
        )
        table, gin = cursor.fetchone()
        print(f"VACUUM ANALYZE {time.perf_counter() - t0:.0f} s; table {table}, GIN index {gin}")


def explain(qs, *, count: bool = False) -> str:
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    if count:
        sql = f"SELECT count(*) FROM ({sql}) AS matches"  # noqa: S608 - ORM-generated SQL
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=40_000)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)

    print(load_average())
    setup_database(BENCH_DB)
    from feedback.search.query import search

    try:
        consultation = make_consultation()
        load(consultation, args.n, args.distinct, args.seed)
        print(load_average())
        page_times: list[float] = []
        count_times: list[float] = []
        for q in QUERIES:
            qs = search(consultation, q)
            fields = ("pk", "received_at", "channel", "stance", "comment")
            list(qs.values(*fields)[:50])
            total = qs.count()  # warm-up, and the full count once
            pt, ct = [], []
            for _ in range(args.reps):
                t0 = time.perf_counter()
                list(search(consultation, q).values(*fields)[:50])
                pt.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                search(consultation, q)[:1001].count()  # as the screen counts (COUNT_LIMIT)
                ct.append((time.perf_counter() - t0) * 1000)
            page_times += pt
            count_times += ct
            print(
                f"{q:8} {total:>8,} matches  page p50 {statistics.median(pt):6.1f} ms "
                f"p95 {pct(pt, 0.95):6.1f} ms   count p50 {statistics.median(ct):6.1f} ms "
                f"p95 {pct(ct, 0.95):6.1f} ms"
            )
        both = [a + b for a, b in zip(page_times, count_times, strict=True)]
        print(
            f"all queries: page p95 {pct(page_times, 0.95):.1f} ms, "
            f"count p95 {pct(count_times, 0.95):.1f} ms, "
            f"page+count p95 {pct(both, 0.95):.1f} ms"
        )
        qs = search(consultation, "焚烧")
        print("EXPLAIN (ANALYZE, BUFFERS) page of 焚烧:")
        print(explain(qs.values("pk", "received_at", "channel", "stance", "comment")[:50]))
        print("EXPLAIN (ANALYZE, BUFFERS) count of 焚烧:")
        print(explain(search(consultation, "焚烧").values("pk"), count=True))
        print(load_average())
    finally:
        if not args.keep:
            drop_database(BENCH_DB)


if __name__ == "__main__":
    main()
