"""Benchmark of the audit trail: ``record()`` one entry at a time, then ``verify()``.

    flock /tmp/bench.lock .venv/bin/python -m bench.audit [--n 10000] [--keep]

A database of its own on the embedded server (``tingjian_bench_audit``, dropped at the end
unless ``--keep``), migrated from scratch, development settings with a throw-away audit key
folder. Timed: ``--n`` calls of ``feedback.audit.trail.record()``, each in its own transaction
(as a staff action commits its entry), from one process; then one ``verify()`` of the whole
chain. Prints the total, the mean and the 50th/99th percentile per call. ``--one-transaction``
runs every call in one transaction (no commit per entry: the code's and queries' own cost);
``--trail-file`` times another version of trail.py (e.g. the one before issue 13).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time

from bench.campaigns import drop_database, load_average, setup_database

BENCH_DB = "tingjian_bench_audit"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--one-transaction",
        action="store_true",
        help="all calls in one transaction: the cost without a commit (fsync) per entry",
    )
    parser.add_argument(
        "--trail-file", help="time another version of feedback/audit/trail.py (a copy of it)"
    )
    options = parser.parse_args()
    os.environ.setdefault("AUDIT_KEY_DIR", tempfile.mkdtemp(prefix="tingjian-bench-audit-"))
    setup_database(BENCH_DB)
    try:
        run(options.n, options.trail_file, options.one_transaction)
    finally:
        if not options.keep:
            drop_database(BENCH_DB)


def run(n: int, trail_file: str | None = None, one_transaction: bool = False) -> None:
    import importlib.util

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from feedback.audit import trail
    from feedback.models import AuditAction

    if trail_file:
        spec = importlib.util.spec_from_file_location("bench_trail", trail_file)
        trail = importlib.util.module_from_spec(spec)
        sys.modules["bench_trail"] = trail  # dataclasses look their module up there
        spec.loader.exec_module(trail)

    print(load_average())
    user = get_user_model().objects.create(username="bench-audit")
    trail.record(user, AuditAction.CODE, object_type="bench", object_id="0")  # warm-up
    times = []
    outer = transaction.atomic() if one_transaction else contextlib.nullcontext()
    outer.__enter__()
    t_all = time.perf_counter()
    for i in range(n):
        t0 = time.perf_counter()
        with transaction.atomic():
            trail.record(
                user,
                AuditAction.CODE,
                consultation=1,
                object_type="feedback.submission",
                object_id=str(i),
                detail={"theme": i % 17, "note": "bench"},
            )
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - t_all
    outer.__exit__(None, None, None)
    times.sort()
    print(
        f"record(): {n:,} calls in {total:.2f} s; mean {statistics.mean(times) * 1000:.3f} ms, "
        f"p50 {times[n // 2] * 1000:.3f} ms, p99 {times[int(n * 0.99)] * 1000:.3f} ms"
    )
    t0 = time.perf_counter()
    result = trail.verify()
    print(
        f"verify(): {result.checked:,} entries in {time.perf_counter() - t0:.2f} s, ok={result.ok}"
    )


if __name__ == "__main__":
    main()
