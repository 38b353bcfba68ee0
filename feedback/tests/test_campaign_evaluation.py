"""Issue 14: campaign grouping on the repository's labelled Chinese set reaches precision and
recall ≥ 0.95 for every campaign and pairwise, through the real database path: opinions go in
through the intake service, the grouping runs as the background task runs it (incrementally, in
batches, in arrival order) and as the re-analysis runs it; groups are read from CampaignMember.

The set (feedback/analysis/eval/campaigns_zh.jsonl, written by bench/campaign_evalset.py) holds
short form letters with punctuation/spacing/emoji/Traditional/one-word variants, long letters
with edits, near misses that must stay apart (stance flipped, negation added, number changed)
and independent opinions.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from consultations.tests.factories import published_consultation
from feedback.analysis.campaign_eval import evaluate, load_eval_set, report_lines
from feedback.campaigns.grouping import group_new_opinions_now, regroup
from feedback.intake.services import OpinionData, submission_create
from feedback.models import CampaignMember

pytestmark = pytest.mark.django_db

GOAL = 0.95


def _load(records):
    now = timezone.now()
    consultations = {
        name: published_consultation(
            opens_at=now - timedelta(days=2), closes_at=now + timedelta(days=30)
        )
        for name in ("plant", "road", "school")
    }
    record_of: dict[int, int] = {}  # submission id → record id
    for r in records:
        submission, created = submission_create(
            consultation=consultations[r["consultation"]],
            data=OpinionData(comment=r["text"]),
            token=uuid.uuid4(),
            now=now - timedelta(days=1) + timedelta(seconds=r["id"]),
        )
        assert created
        record_of[submission.pk] = r["id"]
    return consultations, record_of


def _groups(consultations, record_of) -> dict[int, int]:
    return {
        record_of[sub]: group
        for sub, group in CampaignMember.objects.filter(
            group__consultation__in=consultations.values()
        ).values_list("submission_id", "group_id")
    }


def _assert_goal(report):
    text = "\n".join(report_lines(report))
    assert len(report.campaigns) >= 6, text
    for c in report.campaigns:
        assert c.precision >= GOAL, text
        assert c.recall >= GOAL, text
    assert report.pairwise.precision >= GOAL, text
    assert report.pairwise.recall >= GOAL, text


def test_the_set_has_what_the_issue_asks_for():
    records = load_eval_set()
    assert len(records) >= 300
    labels = {r["campaign"] for r in records} - {None}
    assert len(labels) >= 6
    short = {r["campaign"] for r in records if r["campaign"] and r["kind"].startswith("short")} | {
        r["campaign"] for r in records if r["campaign"] and "near-miss" in r["kind"]
    }
    assert len(short) >= 2
    assert sum("near-miss" in r["kind"] for r in records) >= 10
    assert sum(r["kind"].startswith("independent") for r in records) >= 100
    from feedback.analysis.text import to_simplified

    assert sum(to_simplified(r["text"]) != r["text"] for r in records) >= 20  # Traditional


def test_incremental_grouping_reaches_095_per_campaign_and_pairwise():
    records = load_eval_set()
    consultations, record_of = _load(records)
    # As the task runs while opinions arrive: small batches, in arrival order.
    for c in consultations.values():
        while group_new_opinions_now(c.pk, batch_size=25) == 25:
            pass
    _assert_goal(evaluate(records, _groups(consultations, record_of)))


def test_full_reanalysis_gives_the_same_scores():
    records = load_eval_set()
    consultations, record_of = _load(records)
    for c in consultations.values():
        group_new_opinions_now(c.pk, batch_size=7)  # some batches, then the rest
        regroup(c)
    _assert_goal(evaluate(records, _groups(consultations, record_of)))
