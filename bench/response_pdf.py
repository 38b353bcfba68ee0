"""Benchmark of the response PDF of a consultation with 100,000 opinions (target ≤ 10 s).

    flock /tmp/bench.lock .venv/bin/python -m bench.response_pdf --n 100000

Uses its own database on the embedded server (``tingjian_bench_pdf``, dropped at the end unless
``--keep``). Inserts ``n`` opinions with bulk inserts (channels, stances, withdrawn share),
20 themes with dispositions and reasons, one or two codings per opinion, campaign groups, and
two draft versions of 80 clauses with some changed. Then times, each in this process:
``response_totals`` (the publication snapshot: the canonical ``aggregates.register_totals`` plus
the coding figures), the report build, the uncached PDF rendering (WeasyPrint, Noto CJK) split
into HTML + layout and PDF writing (font subsetting), and the cached PDF fetch. Prints the
process's peak RSS. ``--profile FILE`` writes a cProfile of the uncached rendering.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import uuid
from datetime import timedelta

from bench.campaigns import drop_database, load_average, setup_database

BENCH_DB = "tingjian_bench_pdf"


def build(n: int, seed: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from consultations.models import Clause, DraftVersion
    from consultations.tests.factories import ConsultationFactory
    from feedback.models import (
        CampaignGroup,
        CampaignMember,
        Channel,
        Coding,
        Concern,
        Disposition,
        Stance,
        Submission,
        Theme,
        ThemeResponse,
    )

    rng = random.Random(seed)
    now = timezone.now()
    user = get_user_model().objects.create(username="bench-editor", is_superuser=True)
    c = ConsultationFactory(
        live=True,
        slug="bench-pdf",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=20),
    )
    v1 = DraftVersion.objects.create(consultation=c, number=1)
    v2 = DraftVersion.objects.create(consultation=c, number=2)
    clause_text = "本条规定垃圾焚烧发电厂的选址、建设、运营和监督管理要求，" * 4
    Clause.objects.bulk_create(
        Clause(
            version=v,
            number=i,
            heading=f"第{i}条",
            text=clause_text + ("" if v is v1 or i % 7 else "并每月向社会公开排放监测数据。"),
        )
        for v in (v1, v2)
        for i in range(1, 81)
    )
    themes = Theme.objects.bulk_create(
        Theme(
            consultation=c, name=f"主题{i:02d}", concern=list(Concern.values)[i % 8], sort_order=i
        )
        for i in range(20)
    )
    for i, theme in enumerate(themes):
        d = list(Disposition.values)[i % 4]
        ThemeResponse.objects.create(
            theme=theme,
            disposition=d,
            reason=""
            if d == Disposition.ADOPTED
            else "经研究，" + "该意见涉及的事项已有规定。" * 5,
        )
    channels = list(Channel.values)
    stances = list(Stance.values)
    t0 = time.perf_counter()
    step = 10_000
    for start in range(0, n, step):
        batch = []
        for i in range(start, min(n, start + step)):
            withdrawn = rng.random() < 0.02
            batch.append(
                Submission(
                    consultation=c,
                    channel=channels[0] if rng.random() < 0.8 else rng.choice(channels),
                    stance=rng.choice(stances),
                    comment="建议加强环境监测，公开排放数据。",
                    receipt=f"P{i:015d}",
                    idempotency_token=uuid.uuid4(),
                    received_at=now - timedelta(days=21 + rng.random() * 38),
                    withdrawn=withdrawn,
                    withdrawn_at=now - timedelta(days=21) if withdrawn else None,
                    no_theme_reason="与本事项无关" if i % 50 == 0 else "",
                )
            )
        subs = Submission.objects.bulk_create(batch)
        codings = []
        for s in subs:
            if s.no_theme_reason:
                continue
            for theme in rng.sample(themes, 1 if rng.random() < 0.7 else 2):
                codings.append(Coding(submission=s, theme=theme, coded_by=user))
        Coding.objects.bulk_create(codings)
        if start == 0:
            for g in range(10):
                group = CampaignGroup.objects.create(
                    consultation=c, status=CampaignGroup.Status.CONFIRMED
                )
                CampaignMember.objects.bulk_create(
                    CampaignMember(group=group, submission=s) for s in subs[g * 300 : g * 300 + 300]
                )
    print(f"inserted {n} opinions in {time.perf_counter() - t0:.1f} s")
    return c, user, v1, v2


def reuse(n: int):
    """The consultation a previous ``--keep`` run left (``--reuse``)."""
    from django.contrib.auth import get_user_model

    from consultations.models import Consultation
    from feedback.models import ConsultationResponse, Submission

    c = Consultation.objects.get(slug="bench-pdf")
    ConsultationResponse.objects.filter(consultation=c).delete()
    found = Submission.objects.filter(consultation=c).count()
    if found != n:
        raise SystemExit(f"--reuse: the kept database has {found} opinions, not {n}")
    user = get_user_model().objects.get(username="bench-editor")
    versions = c.draft_versions.order_by("number")
    return c, user, versions[0], versions[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database (see --reuse)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database --keep left")
    parser.add_argument("--profile", default="", help="write a cProfile of the PDF rendering")
    args = parser.parse_args(argv)
    print(load_average())
    setup_database(BENCH_DB, fresh=not args.reuse)
    keep = args.keep
    try:
        from django.core.management import call_command

        call_command("createcachetable", verbosity=0)
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext
        from django.utils import timezone

        from feedback.models import ConsultationResponse
        from feedback.response.counts import response_totals
        from feedback.response.report import build_report

        c, user, v1, v2 = reuse(args.n) if args.reuse else build(args.n, args.seed)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum would have after the inserts
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            counts = response_totals(c)
        t_counts = time.perf_counter() - t0
        slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:4]
        print(
            f"response_totals: {len(queries)} queries, slowest "
            + ", ".join(f"{float(q['time']):.2f} s ({q['sql'][:60]}…)" for q in slowest)
        )
        response = ConsultationResponse.objects.create(
            consultation=c,
            summary="感谢参与。" * 20,
            draft_from=v1,
            draft_to=v2,
            published_at=timezone.now(),
            published_by=user,
            counts=counts,
        )
        t0 = time.perf_counter()
        build_report(response)
        t_report = time.perf_counter() - t0
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        # A fresh process: import WeasyPrint (cffi bindings to Pango, HarfBuzz), then render.
        t0 = time.perf_counter()
        import weasyprint  # noqa: F401

        from feedback.response.views import render_document

        t_import = time.perf_counter() - t0
        t0 = time.perf_counter()
        document = render_document(c, response)
        t_layout = time.perf_counter() - t0
        t0 = time.perf_counter()
        data = document.write_pdf()
        t_write = time.perf_counter() - t0
        t_pdf = t_import + t_layout + t_write
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        # A worker that has rendered before (fonts loaded): what a later publication costs.
        t0 = time.perf_counter()
        build_report(response)
        render_document(c, response).write_pdf()
        t_warm = time.perf_counter() - t0
        cache.set("bench-response-pdf", data, 60)
        t0 = time.perf_counter()
        cached = cache.get("bench-response-pdf")
        t_cached = time.perf_counter() - t0
        assert cached == data
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"n={args.n}: response_totals {t_counts:.2f} s, report {t_report:.2f} s, "
            f"PDF render (uncached, cold process) {t_pdf:.2f} s (import WeasyPrint "
            f"{t_import:.2f} s, HTML + layout {t_layout:.2f} s, write + font subsetting "
            f"{t_write:.2f} s), {len(data) / 1024:.0f} KiB, {len(document.pages)} pages; "
            f"warm re-render {t_warm:.2f} s; cached fetch {t_cached * 1000:.0f} ms; "
            f"total publication path {t_counts + t_report + t_pdf:.2f} s; peak RSS {rss:.0f} MB"
        )
        print(load_average())
    finally:
        if not keep:
            drop_database(BENCH_DB)


if __name__ == "__main__":
    main()
