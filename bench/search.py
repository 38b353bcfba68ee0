"""Benchmark of Chinese full-text search (feedback.search) on 1,000,000 opinions, and the query
set's recall.

    flock /tmp/bench.lock .venv/bin/python -m bench.search [--n 1000000] [--distinct 40000] [--keep]
    flock /tmp/bench.lock .venv/bin/python -m bench.search --eval     # recall only, 2-4 min

A database of its own on the embedded server (``tingjian_bench_search``, dropped at the end
unless ``--keep``), migrated from scratch, one consultation. ``--distinct`` generated opinions
(bench/textgen.py: several kinds of decisions, campaigns and individuals) get their search vector
from the application's own ``document_vector`` (character bigrams with positions of the text
folded to Simplified, feedback/search/tokens.py) and go into a staging table; the ``n`` opinions
are then made in SQL (generate_series), each taking one of those texts, a stance, a channel and
an arrival time (offline ones with a date received a few days before their entry), so the term
statistics are those of the generated texts. The GIN index ``submission_search_gin`` and the
date-received index ``submission_cons_day_idx`` are dropped during the load and rebuilt after
it, then VACUUM ANALYZE. About 5 minutes for 1M rows on 2 cores (the load is printed).

Timed, each query ``--reps`` times after one warm-up:

* **screen**: what the analysts' search box does for one request
  (``feedback.search.results.staff_results``: the total counted up to COUNT_LIMIT, the first page
  of 50 newest by date received, their clause comments and answers, masking and highlighting);
* **db**: the database part of it, ``page_of(search(...))``: the capped count and the first page
  (through the GIN index and a sort when there are at most COUNT_LIMIT matches, else walking
  the date-received index), and **count**, the capped count alone;
* the residents' path is the same query with weight ``A`` over one consultation's shown opinions.

Queries: two-character words of different frequency, a Traditional query, phrases copied from
the texts (quoted and unquoted), a single character, a word found nowhere, two words, and a date
filter. EXPLAIN (ANALYZE, BUFFERS) of the page and count queries of a common word and of a rare
phrase is printed. ``--eval`` loads the labelled corpus into a small database of its own and
prints the query set's recall (feedback.search.evaluation). ``--keep`` then ``--reuse`` times the
queries again without loading.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time
from datetime import date

from bench.campaigns import drop_database, load_average, make_consultation, setup_database

BENCH_DB = "tingjian_bench_search"
QUERIES = [
    "焚烧",
    "补偿",
    "噪声",
    "学校",
    "停车",
    "公交",
    "健康",
    "焚燒廠",  # Traditional
    "垃圾 焚烧",
    "补偿标准",
    '"垃圾焚烧发电厂"',  # quoted phrase
    "一楼一议",  # found nowhere in the generated texts: the rare case
    "地铁",
    "楼",  # one character: a prefix query
]
DATE_QUERY = "补偿"


def load(consultation, n: int, distinct: int, seed: int) -> None:
    from django.db import connection

    from bench.textgen import iter_generate
    from feedback.search.tokens import PUBLIC_WEIGHT, document_vector

    t0 = time.perf_counter()
    texts = [text for text, _ts, _label in iter_generate(distinct, seed=seed)]
    vectors = [document_vector([(t, PUBLIC_WEIGHT)]) for t in texts]
    print(f"generated {distinct:,} texts and their vectors in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    day_index = importlib.import_module("feedback.migrations.0020_issue14_search")._index_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_text (id int PRIMARY KEY, comment text, vector text, "
            "vec tsvector)"
        )
        with cursor.copy("COPY bench_text (id, comment, vector) FROM STDIN") as copy:
            for i, (t, v) in enumerate(zip(texts, vectors, strict=True)):
                copy.write_row((i, t, v))
        cursor.execute("UPDATE bench_text SET vec = vector::tsvector")
        cursor.execute("DROP INDEX IF EXISTS submission_search_gin")
        cursor.execute("DROP INDEX IF EXISTS submission_cons_day_idx")
        cursor.execute(
            """
            INSERT INTO feedback_submission (
                consultation_id, channel, stance, affected_status, comment, receipt,
                received_at, submitted_on, updated_at, status, withdrawn, receipt_link_used,
                quote_consent,
                text_hash, is_exact_duplicate, idempotency_token, contact_ref,
                moderation_state, no_theme_reason, search_vector)
            SELECT %s, ch.channel,
                   (ARRAY['support','oppose','conditional','unsure',''])[1 + (g / 7) %% 5],
                   (ARRAY['live','work','own','other',''])[1 + (g / 11) %% 5],
                   t.comment, 'S' || lpad(g::text, 15, '0'),
                   timestamptz '2026-03-01' + (g * interval '2.6 second'),
                   CASE WHEN ch.channel = 'web' THEN NULL
                        ELSE ((timestamptz '2026-03-01' + (g * interval '2.6 second'))
                              AT TIME ZONE 'Asia/Shanghai')::date - (g %% 9) END,
                   now(), 'received',
                   false, false, false, md5(t.comment), false, gen_random_uuid(), '', 'pending', '',
                   t.vec
              FROM generate_series(1, %s) AS g
              CROSS JOIN LATERAL (SELECT (ARRAY['web','web','web','phone','letter',
                     'hotline_12345'])[1 + g %% 6] AS channel) AS ch
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
        t0 = time.perf_counter()
        cursor.execute(day_index)
        print(f"built the date-received index in {time.perf_counter() - t0:.0f} s")
    with connection.cursor() as cursor:
        t0 = time.perf_counter()
        cursor.execute("VACUUM ANALYZE feedback_submission")
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('feedback_submission')), "
            "pg_size_pretty(pg_relation_size('submission_search_gin')), "
            "pg_size_pretty(pg_relation_size('submission_cons_day_idx'))"
        )
        table, gin, day = cursor.fetchone()
        print(
            f"VACUUM ANALYZE {time.perf_counter() - t0:.0f} s; table with indexes and TOAST "
            f"{table}, GIN index {gin}, date-received index {day}"
        )


def explain(qs, *, count: bool = False, settings_off: tuple[str, ...] = ()) -> str:
    from django.db import connection, transaction

    sql, params = qs.query.sql_with_params()
    if count:
        sql = f"SELECT count(*) FROM ({sql}) AS matches"  # noqa: S608 - ORM-generated SQL
    with transaction.atomic(), connection.cursor() as cursor:
        for name in settings_off:  # as feedback.search.query.page_of sets them
            cursor.execute(f"SET LOCAL {name} = off")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))]


def timed(fn, reps: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run_queries(consultation, reps: int) -> None:
    from feedback.search.query import (
        COUNT_LIMIT,
        PAGE_SIZE,
        SearchFilters,
        page_of,
        planner_settings_off,
        search,
    )
    from feedback.search.results import staff_results

    fields = ("pk", "received_at", "channel", "stance", "comment")
    screen_all: list[float] = []
    page_all: list[float] = []
    count_all: list[float] = []
    cases = [(q, SearchFilters()) for q in QUERIES]
    cases.append(
        (DATE_QUERY, SearchFilters(date_from=date(2026, 3, 10), date_to=date(2026, 3, 12)))
    )
    print(f"COUNT_LIMIT {COUNT_LIMIT:,}, page of {PAGE_SIZE}")
    for q, filters in cases:
        total = search(consultation, q, filters).count()
        screen = timed(lambda q=q, f=filters: staff_results(consultation, q, f, 1), reps)
        page = timed(
            lambda q=q, f=filters: page_of(search(consultation, q, f), 1, fields),
            reps,
        )
        count = timed(
            lambda q=q, f=filters: search(consultation, q, f).order_by()[: COUNT_LIMIT + 1].count(),
            reps,
        )
        screen_all += screen
        page_all += page
        count_all += count
        label = q + (" (3 days)" if filters.date_from else "")
        print(
            f"{label:16} {total:>8,} matches  screen p50 {statistics.median(screen):6.1f} "
            f"p95 {pct(screen, 0.95):6.1f} ms  db p50 {statistics.median(page):6.1f} "
            f"p95 {pct(page, 0.95):6.1f} ms  count p50 {statistics.median(count):6.1f} "
            f"p95 {pct(count, 0.95):6.1f} ms"
        )
    print(
        f"all queries: screen p95 {pct(screen_all, 0.95):.1f} ms, db p95 "
        f"{pct(page_all, 0.95):.1f} ms, capped count p95 {pct(count_all, 0.95):.1f} ms"
    )
    for q in ("焚烧", '"垃圾焚烧发电厂"', "一楼一议"):
        total = search(consultation, q).order_by()[: COUNT_LIMIT + 1].count()
        print(f"EXPLAIN (ANALYZE, BUFFERS) page of {q}, as page_of reads it:")
        off = planner_settings_off(total)
        print(explain(search(consultation, q).values(*fields)[:PAGE_SIZE], settings_off=off))
        print(f"EXPLAIN (ANALYZE, BUFFERS) capped count of {q}:")
        print(
            explain(search(consultation, q).order_by().values("pk")[: COUNT_LIMIT + 1], count=True)
        )


def run_eval() -> None:
    from django.utils import timezone

    from feedback.search import evaluation
    from feedback.tests.search_corpus import load, make_places

    now = timezone.now()
    places = make_places(now)
    pks = load(places, now)
    results = evaluation.evaluate({k: v[0] for k, v in places.items()}, pks)
    print("\n".join(evaluation.report_lines(results)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=40_000)
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--eval", action="store_true", help="only the query set's recall")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database a --keep run left (no load)"
    )
    args = parser.parse_args(argv)

    print(load_average())
    started = time.perf_counter()
    if args.eval:  # a small database of its own: a kept 1M-row one stays
        setup_database(BENCH_DB + "_eval")
        try:
            run_eval()
        finally:
            drop_database(BENCH_DB + "_eval")
        return
    setup_database(BENCH_DB, fresh=not args.reuse)
    try:
        from consultations.models import Consultation

        consultation = Consultation.objects.order_by("pk").first() if args.reuse else None
        if consultation is None:
            consultation = make_consultation()
            load(consultation, args.n, args.distinct, args.seed)
        print(load_average())
        run_queries(consultation, args.reps)
        print(load_average())
    finally:
        if not args.keep:
            drop_database(BENCH_DB)
        print(f"whole run {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
