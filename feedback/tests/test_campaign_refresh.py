"""Group refresh in the database, regroup's single refresh, and the one task after a commit."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.test import override_settings
from django.utils import timezone

from feedback.analysis.campaigns import distinct_count, find_bursts
from feedback.campaigns import grouping, lsh
from feedback.campaigns import tasks as campaign_tasks
from feedback.campaigns.grouping import group_new_opinions_now, refresh_groups, regroup
from feedback.intake.services import OpinionData, submission_create
from feedback.models import CampaignGroup, CampaignMember, Submission, TextSignature

pytestmark = pytest.mark.django_db

LETTER = (
    "我们坚决反对在松林镇建设生活垃圾焚烧发电厂，选址距离居民区不足一公里，"
    "二噁英排放将严重威胁周边三万居民和两所小学师生的身体健康，请重新论证选址。"
)
EDITED = LETTER.replace("三万居民", "四万多居民").replace("请重新论证选址", "恳请重新论证")


def opine(consultation, comment: str, *, when=None) -> Submission:
    submission, created = submission_create(
        consultation=consultation,
        data=OpinionData(comment=comment),
        token=uuid.uuid4(),
        now=when or timezone.now(),
    )
    assert created
    return submission


def reference_refresh(groups, size: int, window: timedelta) -> dict[int, tuple]:
    """What refresh_groups computed in Python before it moved into one SQL statement:
    group → (kind, representative, is_burst, start, end)."""
    out = {}
    for g in groups:
        rows = list(
            CampaignMember.objects.filter(group=g).values_list(
                "submission_id", "submission__text_hash", "submission__received_at"
            )
        )
        kind, rep = g.kind, g.representative_id
        if rows:
            by_hash = defaultdict(list)
            for sid, h, _t in rows:
                by_hash[h].append(sid)
            n, neg_first, _h = max((len(s), -min(s), h) for h, s in by_hash.items())
            kind = "exact" if len(by_hash) == 1 else "near"
            if n > 1 or rep is None:
                rep = -neg_first
        bursts = find_bursts([(g.pk, t) for _s, _h, t in rows], min_count=size, window=window)
        best = None
        for b in bursts:
            if best is None or b.count > best.count:
                best = b
        out[g.pk] = (kind, rep, best is not None, best and best.start, best and best.end)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_refresh_equals_the_python_definition(open_consultation, settings, seed):
    """Random arrivals with ties and gaps of exactly the window: same kind, representative and
    largest burst (start, end) as find_bursts() and the former Python code."""
    settings.CAMPAIGN_BURST_SIZE = 4
    settings.CAMPAIGN_BURST_MINUTES = 10
    window = timedelta(minutes=10)
    rnd = random.Random(seed)
    c = open_consultation
    base = datetime(2026, 3, 1, 8, tzinfo=UTC)
    subs = []
    t = base
    for i in range(300):
        step = rnd.choice(
            [timedelta(0), timedelta(seconds=30), timedelta(minutes=2), window, timedelta(hours=2)]
        )
        t += step
        subs.append(
            Submission(
                consultation=c,
                comment=f"意见{i}",
                received_at=t,
                receipt=f"R{seed}{i:08d}",
                idempotency_token=uuid.uuid4(),
                text_hash=rnd.choice(["a", "a", "b", "c", ""]),
            )
        )
    subs = Submission.objects.bulk_create(subs)
    rnd.shuffle(subs)
    groups = [
        CampaignGroup.objects.create(consultation=c, kind="near", representative=subs[i])
        for i in range(6)
    ]
    groups.append(CampaignGroup.objects.create(consultation=c, kind="exact"))  # no members
    groups.append(CampaignGroup.objects.create(consultation=c))  # no members, no representative
    start = 0
    for g, size in zip(groups[:6], [2, 5, 30, 60, 90, 100], strict=True):
        CampaignMember.objects.bulk_create(
            CampaignMember(group=g, submission=s) for s in subs[start : start + size]
        )
        start += size
    expected = reference_refresh(groups, 4, window)
    assert any(v[2] for v in expected.values()) and not all(v[2] for v in expected.values())
    refresh_groups(g.pk for g in groups)
    for g in groups:
        g.refresh_from_db()
        got = (g.kind, g.representative_id, g.is_burst, g.burst_started_at, g.burst_ended_at)
        assert got == expected[g.pk], g.pk


def test_burst_boundary_is_inclusive_of_exactly_the_window(open_consultation, settings):
    """Four arrivals spanning exactly the window are a burst; a microsecond more is not."""
    settings.CAMPAIGN_BURST_SIZE = 4
    settings.CAMPAIGN_BURST_MINUTES = 60
    c = open_consultation
    base = datetime(2026, 3, 1, 8, tzinfo=UTC)

    def group_at(offsets):
        subs = Submission.objects.bulk_create(
            Submission(
                consultation=c,
                comment="x",
                received_at=base + o,
                receipt=f"W{uuid.uuid4().hex[:15]}",
                idempotency_token=uuid.uuid4(),
                text_hash="h",
            )
            for o in offsets
        )
        g = CampaignGroup.objects.create(consultation=c)
        CampaignMember.objects.bulk_create(CampaignMember(group=g, submission=s) for s in subs)
        return g

    hour = timedelta(hours=1)
    exact = group_at([timedelta(0), timedelta(minutes=1), timedelta(minutes=2), hour])
    over = group_at(
        [
            timedelta(0),
            timedelta(minutes=1),
            timedelta(minutes=2),
            hour + timedelta(minutes=1),
        ]  # times to the minute
    )
    refresh_groups([exact.pk, over.pk])
    exact.refresh_from_db()
    over.refresh_from_db()
    assert exact.is_burst
    assert (exact.burst_started_at, exact.burst_ended_at) == (base, base + hour)
    assert exact.kind == CampaignGroup.Kind.EXACT
    assert not over.is_burst and over.burst_started_at is None


def test_regroup_refreshes_each_group_once_at_the_end(open_consultation, settings, monkeypatch):
    settings.CAMPAIGN_BURST_SIZE = 3
    c = open_consultation
    now = timezone.now() - timedelta(days=1)
    subs = [opine(c, LETTER, when=now + timedelta(minutes=i)) for i in range(4)]
    subs.append(opine(c, EDITED, when=now + timedelta(minutes=5)))
    group_new_opinions_now(c.pk, batch_size=2)
    before = CampaignGroup.objects.get(consultation=c)
    assert before.is_burst and before.kind == CampaignGroup.Kind.NEAR

    calls = []
    real = grouping.refresh_groups
    monkeypatch.setattr(grouping, "REGROUP_BATCH_SIZE", 2)  # three batches
    monkeypatch.setattr(grouping, "refresh_groups", lambda ids: calls.append(set(ids)))
    assert regroup(c) == 5
    assert len(calls) == 1  # not after every batch
    after = CampaignGroup.objects.get(consultation=c)
    assert calls == [{after.pk}]
    real(calls[0])
    after.refresh_from_db()
    assert set(after.members.values_list("submission_id", flat=True)) == {s.pk for s in subs}
    assert (after.kind, after.representative_id, after.is_burst) == (
        before.kind,
        before.representative_id,
        True,
    )
    assert (after.burst_started_at, after.burst_ended_at) == (
        subs[0].received_at,
        subs[-1].received_at,
    )


def test_regroup_refreshes_the_committed_batches_when_one_fails(open_consultation, monkeypatch):
    c = open_consultation
    a = opine(c, LETTER)
    b = opine(c, LETTER)
    opine(c, EDITED)
    refreshed = []
    monkeypatch.setattr(grouping, "REGROUP_BATCH_SIZE", 2)
    monkeypatch.setattr(grouping, "refresh_groups", lambda ids: refreshed.append(set(ids)))
    real_batch = grouping._process_batch
    batches = []

    def failing_second(state, size, touched):
        batches.append(size)
        if len(batches) == 2:
            raise RuntimeError("boom")
        return real_batch(state, size, touched)

    monkeypatch.setattr(grouping, "_process_batch", failing_second)
    with pytest.raises(RuntimeError):
        regroup(c)
    group = CampaignGroup.objects.get(consultation=c)
    assert set(group.members.values_list("submission_id", flat=True)) == {a.pk, b.pk}
    assert refreshed == [{group.pk}]


def test_distinct_count_matches_numpy_unique():
    rnd = np.random.default_rng(5)
    for n in [0, 1, 2, 3, 50, 400]:
        h = rnd.integers(0, 40, size=n, dtype=np.uint32)
        assert distinct_count(h) == len(np.unique(h))


# -- one task per consultation per transaction ----------------------------------------------------


def test_one_task_is_queued_per_consultation_per_commit(
    open_consultation, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    c = open_consultation
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        with django_capture_on_commit_callbacks(execute=True):
            opine(c, LETTER)
            opine(c, EDITED)
        queued = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    assert queued == [("feedback.campaigns.tasks.opinions_arrived", {"args": [c.pk], "kwargs": {}})]


def test_the_task_groups_and_indexes(open_consultation, django_capture_on_commit_callbacks):
    c = open_consultation
    with django_capture_on_commit_callbacks(execute=True):
        a = opine(c, LETTER)
        b = opine(c, LETTER)
    group = CampaignGroup.objects.get(consultation=c)
    assert set(group.members.values_list("submission_id", flat=True)) == {a.pk, b.pk}
    assert Submission.objects.filter(pk__in=[a.pk, b.pk], search_vector__isnull=True).count() == 0


@pytest.mark.parametrize("failing", ["grouping", "indexing"])
def test_each_step_runs_when_the_other_fails(open_consultation, monkeypatch, caplog, failing):
    import feedback.search.index

    c = open_consultation
    a = opine(c, LETTER)
    b = opine(c, LETTER)

    def boom(consultation_id):
        raise RuntimeError("boom")

    if failing == "grouping":
        monkeypatch.setattr(campaign_tasks, "group_new_opinions_now", boom)
    else:
        monkeypatch.setattr(feedback.search.index, "index_new_opinions_now", boom)
    with pytest.raises(RuntimeError, match="boom"):
        campaign_tasks.opinions_arrived_now(c.pk)
    assert any(r.exc_info and f"consultation {c.pk}" in r.getMessage() for r in caplog.records)
    grouped = CampaignGroup.objects.filter(consultation=c).exists()
    indexed = not Submission.objects.filter(
        pk__in=[a.pk, b.pk], search_vector__isnull=True
    ).exists()
    assert (grouped, indexed) == (failing == "indexing", failing == "grouping")


def test_old_task_names_still_run(open_consultation):
    from feedback.search.index import index_new_opinions

    c = open_consultation
    opine(c, LETTER)
    opine(c, LETTER)
    Submission.objects.filter(consultation=c).update(search_vector=None)
    assert campaign_tasks.group_new_opinions.enqueue(c.pk).return_value == 2
    assert index_new_opinions.enqueue(c.pk).return_value == 2


@pytest.mark.parametrize("cold", [False, True])
def test_exact_copy_in_a_later_run_joins_the_first_opinion(open_consultation, cold):
    """The first opinion of a text comes from the cache of signed opinions (rebuilt from the
    stored signatures after a restart), not from a query over every opinion of the text."""
    c = open_consultation
    a = opine(c, LETTER)
    loner = opine(c, "同意")
    group_new_opinions_now(c.pk)
    assert not CampaignGroup.objects.filter(consultation=c).exists()
    if cold:
        lsh.forget_cache()
    b = opine(c, LETTER)
    d = opine(c, "同意")
    e = opine(c, LETTER)
    group_new_opinions_now(c.pk)
    letter = CampaignGroup.objects.get(consultation=c, representative=a)
    short = CampaignGroup.objects.get(consultation=c, representative=loner)
    assert letter.kind == short.kind == CampaignGroup.Kind.EXACT
    assert set(letter.members.values_list("submission_id", flat=True)) == {a.pk, b.pk, e.pk}
    assert set(short.members.values_list("submission_id", flat=True)) == {loner.pk, d.pk}
    assert CampaignMember.objects.get(submission=b).similarity == 1.0
    # Copies are not sketched: only the first opinion of a text has a MinHash.
    sigs = dict(
        TextSignature.objects.filter(submission__consultation=c).values_list(
            "submission_id", "minhash"
        )
    )
    assert bytes(sigs[a.pk]) and not bytes(sigs[b.pk]) and not bytes(sigs[e.pk])


def test_unsigned_opinions_are_read_in_id_order_past_signed_ones(open_consultation):
    c = open_consultation
    subs = [
        opine(c, f"第{i}条意见：建议在施工期间加强渣土车管理并公开监测数据。") for i in range(7)
    ]
    group_new_opinions_now(c.pk)
    b, e, f = subs[1], subs[4], subs[5]
    TextSignature.objects.filter(submission__in=[b, e, f]).delete()

    def unsigned(above, limit):
        return [r.pk for r in grouping._unsigned(c.pk, above, limit)]

    assert unsigned(0, 2) == [b.pk, e.pk]  # the chunks of two hold signed ones in between
    assert unsigned(0, 5) == [b.pk, e.pk, f.pk]
    assert unsigned(b.pk, 1) == [e.pk]
    assert unsigned(f.pk, 3) == []
    assert group_new_opinions_now(c.pk, batch_size=2) == 3
    assert unsigned(0, 10) == []
