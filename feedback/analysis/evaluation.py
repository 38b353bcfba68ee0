"""How well a grouping matches seeded campaigns (used by tests and bench/analysis.py).

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

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass


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
