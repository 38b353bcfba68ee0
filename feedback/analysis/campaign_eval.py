"""Scores of campaign grouping on the repository's labelled set (eval/campaigns_zh.jsonl).

Used by feedback/tests/test_campaign_evaluation.py and bench/campaign_eval.py; the set is
written by bench/campaign_evalset.py (see there for what it holds).

Definitions:

* **Per campaign**: the campaign's *group* is the group that holds most of its opinions.
  Precision = the campaign's opinions in that group / all opinions in that group; recall = the
  campaign's opinions in that group / the campaign's opinions. So a campaign split in two loses
  recall, and another text (a near miss, an independent opinion, another campaign) pulled into
  its group costs precision.
* **Pairwise** and item-level: :func:`feedback.analysis.evaluation.score_grouping`.
* Records marked ``limit`` show a known limit of the method (a place name swapped in a short
  text, a short slogan quoted in a sentence that turns it around); they are left out of both figures and reported apart: how many were grouped.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path

from feedback.analysis.evaluation import Scores, score_grouping

EVAL_SET = Path(__file__).resolve().parent / "eval" / "campaigns_zh.jsonl"


def load_eval_set(path: Path = EVAL_SET) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@dataclass(frozen=True)
class CampaignScore:
    label: str
    size: int  # the campaign's opinions
    group_size: int  # opinions in its group
    found: int  # the campaign's opinions in its group
    precision: float
    recall: float


@dataclass(frozen=True)
class EvalReport:
    campaigns: list[CampaignScore]
    pairwise: Scores
    limits_grouped: int
    limits: int
    independent_grouped: int  # independent opinions (no label) that are in some group
    independent: int


def evaluate(records: list[dict], group_of: dict[int, Hashable]) -> EvalReport:
    """``group_of``: record id → group id, for the grouped records only (a record missing from
    it is in no group)."""
    main = [r for r in records if not r.get("limit")]
    predicted = [("g", group_of[r["id"]]) if r["id"] in group_of else ("s", r["id"]) for r in main]
    pairwise = score_grouping([r["campaign"] for r in main], predicted)
    in_group = Counter(p for p in predicted if p[0] == "g")
    by_label: dict[str, list] = {}
    for r, p in zip(main, predicted, strict=True):
        if r["campaign"] is not None:
            by_label.setdefault(r["campaign"], []).append(p)
    campaigns = []
    for label, preds in sorted(by_label.items()):
        grouped = Counter(p for p in preds if p[0] == "g")
        if grouped:
            group, found = grouped.most_common(1)[0]
            group_size = in_group[group]
        else:
            found, group_size = 1, 1  # every opinion on its own: the best "group" is one
        campaigns.append(
            CampaignScore(
                label, len(preds), group_size, found, found / group_size, found / len(preds)
            )
        )
    limits = [r for r in records if r.get("limit")]
    independent = [r for r in main if r["campaign"] is None]
    return EvalReport(
        campaigns=campaigns,
        pairwise=pairwise,
        limits_grouped=sum(r["id"] in group_of for r in limits),
        limits=len(limits),
        independent_grouped=sum(r["id"] in group_of for r in independent),
        independent=len(independent),
    )


def report_lines(report: EvalReport) -> list[str]:
    lines = [f"{'campaign':<22}{'size':>6}{'group':>7}{'found':>7}{'precision':>11}{'recall':>8}"]
    for c in report.campaigns:
        lines.append(
            f"{c.label:<22}{c.size:>6}{c.group_size:>7}{c.found:>7}"
            f"{c.precision:>11.3f}{c.recall:>8.3f}"
        )
    p = report.pairwise
    lines.append(
        f"pairwise precision {p.precision:.4f} recall {p.recall:.4f} "
        f"({p.true_pairs} true pairs, {p.predicted_pairs} predicted); "
        f"item precision {p.item_precision:.4f} recall {p.item_recall:.4f}"
    )
    lines.append(
        f"independent opinions in a group: {report.independent_grouped} of {report.independent}; "
        f"known limits (place swapped, slogan quoted) grouped: "
        f"{report.limits_grouped} of {report.limits}"
    )
    return lines
