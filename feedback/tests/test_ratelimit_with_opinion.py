"""On the database cache, an opinion POST is counted first, in a statement and transaction of
its own, and the opinion is stored after, only within the limits: no row of the opinion's
transaction names its network (issue 12; test_network_privacy.py plays the database reader)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import Submission
from feedback.tests import DATABASE_CACHE_TABLE
from feedback.tests.conftest import form_url, fresh_token, receipt_from_redirect

pytestmark = pytest.mark.django_db

TABLE = DATABASE_CACHE_TABLE


def counters() -> dict[str, int]:
    with connection.cursor() as cursor:
        sql = f"SELECT cache_key, value FROM {TABLE} WHERE cache_key LIKE %s"  # noqa: S608
        cursor.execute(sql, ["%tj-rlc%"])
        return {key.split(":")[3]: int(value) for key, value in cursor.fetchall()}


def post(client, consultation, token=None, **data):
    payload = {"token": token or fresh_token(client, consultation), **data}
    return client.post(form_url(consultation), payload)


def test_a_valid_opinion_is_counted_before_and_apart_from_its_insert(
    client, index_page, open_consultation, database_cache
):
    token = fresh_token(client, open_consultation)
    with CaptureQueriesContext(connection) as queries:
        receipt_from_redirect(post(client, open_consultation, token, comment="一条意见"))
    writes = [q["sql"] for q in queries if TABLE in q["sql"] or "INSERT" in q["sql"]]
    assert len(writes) == 2, writes
    counted, stored = writes
    assert TABLE in counted and "feedback_submission" not in counted
    assert "feedback_submission" in stored and TABLE not in stored
    assert counters() == {"submit-addr": 1, "submit-cons": 1}


def test_over_the_limit_nothing_is_stored_and_the_answer_says_when_to_retry(
    client, index_page, open_consultation, database_cache, settings
):
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (2, 600)
    for n in range(2):
        receipt_from_redirect(post(client, open_consultation, comment=f"意见{n}"))
    response = post(client, open_consultation, comment="第三条", stance="oppose")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert Submission.objects.count() == 2
    assert not Submission.objects.filter(comment="第三条").exists()
    # The refused one was counted; the consultation's counter moved only within the limit.
    assert counters() == {"submit-addr": 3, "submit-cons": 2}


def test_a_retry_of_a_stored_form_gets_its_receipt_past_the_limit(
    client, index_page, open_consultation, database_cache, settings
):
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (1, 600)
    token = fresh_token(client, open_consultation)
    first = receipt_from_redirect(post(client, open_consultation, token, comment="只发一次"))
    again = post(client, open_consultation, token, comment="只发一次")
    assert receipt_from_redirect(again) == first
    assert "again=1" in again["Location"]
    assert Submission.objects.count() == 1


def test_a_retry_within_the_limit_stores_nothing_twice_and_counts_as_a_request(
    client, index_page, open_consultation, database_cache
):
    token = fresh_token(client, open_consultation)
    first = receipt_from_redirect(post(client, open_consultation, token, comment="重发"))
    assert receipt_from_redirect(post(client, open_consultation, token, comment="重发")) == first
    assert Submission.objects.count() == 1
    # A resend is a request like any other: counted before anything is stored (issue 12).
    assert counters() == {"submit-addr": 2, "submit-cons": 2}


def test_an_invalid_form_is_counted_too_and_refused_over_the_limit(
    client, index_page, open_consultation, database_cache, settings
):
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (1, 600)
    assert post(client, open_consultation, comment="x" * 5001).status_code == 400
    assert counters()["submit-addr"] == 1
    assert post(client, open_consultation, comment="x" * 5001).status_code == 429
    assert post(client, open_consultation, comment="有效").status_code == 429
    assert Submission.objects.count() == 0


def test_every_kind_of_part_is_stored_through_the_counted_statement(
    client, index_page, open_consultation, database_cache
):
    alternatives = list(open_consultation.alternatives.order_by("sort_order"))
    questions = list(open_consultation.questions.order_by("sort_order"))
    data = {
        "stance": "conditional",
        f"pref_{alternatives[0].pk}": "prefer",
        f"pref_{alternatives[1].pk}": "not_acceptable",
        f"q_{questions[0].pk}": "1",
        f"q_{questions[1].pk}": ["1", "3"],
        f"q_{questions[2].pk}": "4",
        f"q_{questions[3].pk}": "短答",
        "clause_1": "第一条意见",
        "clause_2": "第二条意见",
        "contact_email": "someone@example.cn",
    }
    receipt_from_redirect(post(client, open_consultation, **data))
    s = Submission.objects.get()
    assert s.alternative_preferences.count() == 2
    assert s.answers.count() == 4
    assert sorted(s.clause_comments.values_list("text", flat=True)) == ["第一条意见", "第二条意见"]
    assert s.contact_ref and s.stance == "conditional"
    assert str(uuid.UUID(str(s.idempotency_token)))
