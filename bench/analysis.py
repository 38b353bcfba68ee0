"""Benchmark of campaign detection and Chinese segmentation on generated opinions.

    python -m bench.analysis --n 20000
    python -m bench.analysis --n 100000 --threshold 0.5 --num-perm 128 --shingle 3

Generates ``n`` opinions with seeded campaigns (bench/textgen.py), runs detection in this one
process, and prints opinions/s, pairwise and item-level precision/recall (definitions in
feedback/analysis/evaluation.py), the report figures, bursts, the size of the serialised index,
segmentation throughput and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import timedelta

from bench.textgen import generate
from feedback.analysis.campaigns import CampaignConfig, CampaignIndex
from feedback.analysis.evaluation import score_grouping
from feedback.analysis.text import fold_for_matching, segment_for_search


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--campaign-share", type=float, default=0.3)
    parser.add_argument("--shingle", type=int, default=CampaignConfig.shingle)
    parser.add_argument("--num-perm", type=int, default=CampaignConfig.num_perm)
    parser.add_argument("--threshold", type=float, default=CampaignConfig.threshold)
    parser.add_argument("--segment", type=int, default=20000, help="opinions to segment")
    parser.add_argument("--batches", type=int, default=10, help="incremental add() batches")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    items = generate(args.n, seed=args.seed, campaign_share=args.campaign_share)
    print(f"generated {args.n} opinions in {time.perf_counter() - t0:.1f} s")
    fold_for_matching("")  # build the folding table outside the timed part
    config = CampaignConfig(shingle=args.shingle, num_perm=args.num_perm, threshold=args.threshold)

    index = CampaignIndex(config)
    step = max(1, args.n // args.batches)
    t0, cpu0 = time.perf_counter(), time.process_time()
    for start in range(0, args.n, step):  # as the background task does: batches in arrival order
        index.add((o.id, o.text, o.timestamp) for o in items[start : start + step])
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(
        f"detection: {args.n / elapsed:,.0f} opinions/s wall, {args.n / cpu:,.0f} per CPU-second "
        f"({elapsed:.1f} s wall, {cpu:.1f} s CPU, one process, "
        f"shingle={config.shingle} num_perm={config.num_perm} threshold={config.threshold} "
        f"bands={index.lsh.b}x{index.lsh.r})"
    )

    assignment = index.assignments()
    scores = score_grouping([o.campaign for o in items], [assignment[o.id] for o in items])
    seeded = len({o.campaign for o in items} - {None})
    print(
        f"pairwise precision {scores.precision:.4f} recall {scores.recall:.4f}; "
        f"item-level precision {scores.item_precision:.4f} recall {scores.item_recall:.4f} "
        f"({seeded} seeded campaigns)"
    )
    s = index.summary()
    print(
        f"report: {s['opinions']} opinions, {s['distinct_texts']} distinct texts, "
        f"{s['campaign_groups']} campaign groups"
    )
    t0 = time.perf_counter()
    bursts = index.bursts(min_count=20, window=timedelta(minutes=60))
    print(f"bursts (>=20 in 60 min): {len(bursts)} in {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    blob = index.dumps()
    dumped = time.perf_counter() - t0
    del index  # a background task holds one index at a time: load it as it would
    t0 = time.perf_counter()
    index = CampaignIndex.loads(blob)
    print(
        f"serialised index: {len(blob) / 1e6:.1f} MB, dump {dumped:.2f} s, "
        f"load {time.perf_counter() - t0:.2f} s"
    )
    del blob
    extra = generate(1000, seed=args.seed + 1, campaign_share=args.campaign_share)
    t0 = time.perf_counter()
    result = index.add((args.n + o.id, o.text, o.timestamp) for o in extra)
    print(
        f"incremental add of 1000 more after load: {time.perf_counter() - t0:.2f} s, "
        f"{len(result.merged)} groups merged"
    )

    sample = [o.text for o in items[: args.segment]]
    segment_for_search("预热")  # load jieba's dictionary outside the timed part
    cpu0 = time.process_time()
    for text in sample:
        segment_for_search(text)
    cpu = time.process_time() - cpu0
    chars = sum(map(len, sample))
    print(
        f"segmentation: {len(sample) / cpu:,.0f} opinions per CPU-second, "
        f"{chars / cpu / 1000:,.0f} k chars per CPU-second"
    )
    print(f"peak RSS: {_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
