"""How well a grouping matches seeded campaigns (used by tests and bench/analysis.py), and how
well theme suggestions do on the labelled theme set (bench/suggest_eval.py, the tests).

Definitions (stated once, used everywhere):

* **Pairwise** (the figure the ≥ 0.95 goal refers to): consider every unordered pair of
  opinions. A pair is *truly together* when both carry the same seeded campaign label (opinions
  without a label are each on their own), and *predicted together* when both are in the same
  group. Precision = truly-and-predicted / predicted pairs; recall = truly-and-predicted / true
  pairs. Counted exactly from the contingency table, not by enumerating pairs.
* **Item-level**: an opinion is *flagged* when its group has ≥ 2 opinions. Precision = flagged
  campaign opinions / flagged opinions; recall = flagged campaign opinions / campaign opinions.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    item_precision: float
    item_recall: float
    true_pairs: int
    predicted_pairs: int


def _pairs(counts: Counter) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def score_grouping(truth: Sequence[Hashable | None], predicted: Sequence[Hashable]) -> Scores:
    """``truth[i]`` is the campaign label of opinion i (or None), ``predicted[i]`` its group id."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted must have the same length")
    true_labels = [("campaign", t) if t is not None else ("single", i) for i, t in enumerate(truth)]
    true_pairs = _pairs(Counter(true_labels))
    pred_pairs = _pairs(Counter(predicted))
    both = _pairs(Counter(zip(true_labels, predicted, strict=True)))
    sizes = Counter(predicted)
    flagged = [sizes[p] > 1 for p in predicted]
    seeded = [t is not None for t in truth]
    hits = sum(f and s for f, s in zip(flagged, seeded, strict=True))
    return Scores(
        precision=both / pred_pairs if pred_pairs else 1.0,
        recall=both / true_pairs if true_pairs else 1.0,
        item_precision=hits / sum(flagged) if any(flagged) else 1.0,
        item_recall=hits / sum(seeded) if any(seeded) else 1.0,
        true_pairs=true_pairs,
        predicted_pairs=pred_pairs,
    )


# --- Theme suggestions (issue 14, point 2) ----------------------------------------------------

THEME_SET = Path(__file__).resolve().parent / "eval" / "themes_zh.jsonl"


def load_theme_set(path: Path = THEME_SET) -> tuple[list[dict], list[dict]]:
    """The labelled theme set: (themes, opinions). Themes: ``theme`` key, ``consultation``,
    ``name``, ``seeds``; opinions: ``id`` (arrival order), ``consultation``, ``text``, ``themes``
    (keys; empty: no theme fits), ``campaign``, ``kind``. Written by bench/suggest_evalset.py."""
    themes, opinions = [], []
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            (themes if "theme" in row else opinions).append(row)
    opinions.sort(key=lambda r: r["id"])
    return themes, opinions


@dataclass
class ThemeRun:
    """What coding the first ``coded`` opinions of a consultation gives: the held-out figures the
    screen shows (``estimate``) and the figures of the suggestions made for the rest against the
    labels (``real``: every opinion; ``real_distinct``: one opinion per campaign)."""

    consultation: str
    coded: int
    estimate: dict
    real: dict
    real_distinct: dict
    truth: np.ndarray
    chosen: np.ndarray


def theme_run(
    themes: list[dict], opinions: list[dict], consultation: str, coded: int, config=None
) -> ThemeRun:
    """Code the first ``coded`` opinions of ``consultation`` (arrival order) with their labels,
    measure as the coding screen does, suggest for the rest and score against their labels."""
    from feedback.analysis import themes as tm

    config = config or tm.ThemeConfig()
    frame = [t for t in themes if t["consultation"] == consultation]
    keys = [t["theme"] for t in frame]
    seeds = [tm.seed_words(t["name"], " ".join(t["seeds"])) for t in frame]
    rows = [r for r in opinions if r["consultation"] == consultation]
    docs = [tm.prepare(r["text"]) for r in rows]
    y = np.array([[k in r["themes"] for k in keys] for r in rows], dtype=bool).reshape(
        len(rows), len(keys)
    )
    train, rest = slice(0, coded), slice(coded, None)
    groups = tm.near_duplicate_groups([r["text"] for r in rows[train]])
    assessment = tm.assess(docs[train], y[train], groups, seeds, keys, config)
    model = tm.ThemeModel(config, seeds).fit(docs[train], y[train])
    chosen = tm.decide(model.proba(docs[rest]), config, assessment.enabled, assessment.thresholds)
    truth = y[rest]
    seen: set = set()
    distinct = []
    for i, r in enumerate(rows[rest]):
        key = r.get("campaign") or ("own", r["id"])
        if key not in seen:
            seen.add(key)
            distinct.append(i)
    return ThemeRun(
        consultation=consultation,
        coded=coded,
        estimate=assessment.evaluation,
        real=tm.score(truth, chosen, keys),
        real_distinct=tm.score(truth[distinct], chosen[distinct], keys),
        truth=truth,
        chosen=chosen,
    )


def pooled_f1(runs: Sequence[ThemeRun]) -> dict:
    """Micro precision, recall and F1 over the individual opinions of several runs."""
    tp = sum(int((r.truth & r.chosen).sum()) for r in runs)
    fp = sum(int((~r.truth & r.chosen).sum()) for r in runs)
    fn = sum(int((r.truth & ~r.chosen).sum()) for r in runs)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "opinions": sum(len(run.truth) for run in runs),
    }
