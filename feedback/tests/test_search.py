"""Chinese full-text search (feedback.search) on the real PostgreSQL GIN index."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from consultations.tests.factories import UserFactory
from feedback.intake.services import OpinionData, submission_create, submission_update
from feedback.models import Coding, Submission, Theme
from feedback.search.index import index_new_opinions_now
from feedback.search.query import SearchFilters, search

pytestmark = pytest.mark.django_db


def opine(consultation, comment: str, *, when=None, **data) -> Submission:
    submission, _ = submission_create(
        consultation=consultation,
        data=OpinionData(comment=comment, **data),
        token=uuid.uuid4(),
        now=when or timezone.now(),
    )
    return submission


def pks(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def test_two_character_word_finds_the_long_compound(open_consultation):
    c = open_consultation
    plant = opine(c, "坚决反对在我们村旁边建设垃圾焚烧发电厂。")
    opine(c, "建议增加公交线路，方便居民出行。")
    assert index_new_opinions_now(c.pk) == 2
    assert pks(search(c, "焚烧")) == {plant.pk}
    assert pks(search(c, "发电厂")) == {plant.pk}
    assert pks(search(c, "垃圾焚烧")) == {plant.pk}
    assert pks(search(c, "地铁")) == set()
    assert pks(search(c, "  ，。 ")) == set()  # no word: no search


def test_clause_comments_and_text_answers_are_searched(open_consultation):
    c = open_consultation
    clause = c.current_draft_version().clauses.order_by("number").first()
    s = opine(c, "", stance="oppose", clause_comments={clause.pk: "渗滤液处理方案不清楚"})
    index_new_opinions_now(c.pk)
    assert pks(search(c, "渗滤液")) == {s.pk}


def test_filters(open_consultation):
    c = open_consultation
    now = timezone.now()
    a = opine(c, "焚烧厂离学校太近", stance="oppose", affected_status="live", when=now)
    b = opine(c, "焚烧厂可以建，但要公开数据", stance="conditional", when=now)
    Submission.objects.filter(pk=b.pk).update(received_at=now - timedelta(days=3))
    index_new_opinions_now(c.pk)
    assert pks(search(c, "焚烧")) == {a.pk, b.pk}
    assert pks(search(c, "焚烧", SearchFilters(stance="oppose"))) == {a.pk}
    assert pks(search(c, "焚烧", SearchFilters(affected_status="live"))) == {a.pk}
    assert pks(search(c, "焚烧", SearchFilters(channel="letter"))) == set()
    today = timezone.localdate(now)
    assert pks(search(c, "焚烧", SearchFilters(date_from=today))) == {a.pk}
    assert pks(search(c, "焚烧", SearchFilters(date_to=today - timedelta(days=1)))) == {b.pk}
    theme = Theme.objects.create(consultation=c, name="选址")
    Coding.objects.create(submission=b, theme=theme, coded_by=UserFactory())
    assert pks(search(c, "焚烧", SearchFilters(theme_id=theme.pk))) == {b.pk}
    assert pks(search(c, "", SearchFilters(stance="conditional"))) == {b.pk}


def test_other_consultations_are_not_searched(open_consultation):
    from consultations.tests.factories import published_consultation

    c = open_consultation
    other = published_consultation(
        opens_at=timezone.now() - timedelta(days=1), closes_at=timezone.now() + timedelta(days=30)
    )
    opine(other, "垃圾焚烧发电厂")
    index_new_opinions_now()
    assert pks(search(c, "焚烧")) == set()
    assert search(other, "焚烧").count() == 1


def test_edit_reindexes_and_command_backfills(
    open_consultation, django_capture_on_commit_callbacks
):
    c = open_consultation
    with django_capture_on_commit_callbacks(execute=True):
        s = opine(c, "垃圾焚烧发电厂选址不合理")
    assert pks(search(c, "选址")) == {s.pk}
    with django_capture_on_commit_callbacks(execute=True):
        submission_update(submission=s, data=OpinionData(comment="建议增加公交线路"))
    assert pks(search(c, "选址")) == set()
    assert pks(search(c, "公交")) == {s.pk}
    Submission.objects.update(search_vector=None)
    call_command("search_reindex")
    assert pks(search(c, "公交")) == {s.pk}


def test_the_query_uses_the_gin_index(open_consultation):
    c = open_consultation
    Submission.objects.bulk_create(
        Submission(
            consultation=c,
            comment=f"第{i}条意见：垃圾焚烧发电厂" if i % 500 == 0 else f"第{i}条意见：公交线路",
            receipt=f"GIN{i:08d}",
            idempotency_token=uuid.uuid4(),
        )
        for i in range(3000)
    )
    index_new_opinions_now(c.pk)
    qs = search(c, "焚烧")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", ["submission_search_gin"])
        cursor.execute("ANALYZE feedback_submission")
        # A table this small fits in a few pages, so the planner would read it whole; forbid
        # that to see which index it picks (bench/search.py shows the choice on 1M rows).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "submission_search_gin" in plan, plan
    assert qs.count() == 6
