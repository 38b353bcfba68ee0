"""A POST of the opinion form reuses the routing row of a POST in the last second
(cms.route_memory.ROUTE_SECONDS), and its INSERT checks that the consultation row is still the
version that row was read from: a changed consultation is routed again, and nothing is stored
or counted on the stale row."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms import route_memory
from feedback.models import Submission
from feedback.tests import DATABASE_CACHE_TABLE

from .test_opinion_route import FORM, RECEIPT, opinion

pytestmark = pytest.mark.django_db


def routing_queries(queries) -> int:
    return sum("site_count" in q["sql"] for q in queries)


def post(client, data):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(FORM, data)
    return response, queries


def test_a_second_post_within_the_second_is_one_statement(open_consultation, client):
    first, queries = post(client, opinion(client))
    assert first.status_code == 302 and routing_queries(queries) == 1
    data = opinion(client, comment="第二条意见")
    second, queries = post(client, data)
    assert second.status_code == 302 and RECEIPT.match(second["Location"])
    assert routing_queries(queries) == 0
    statements = [q for q in queries if "SAVEPOINT" not in q["sql"]]  # (the test's transaction)
    assert len(statements) == 1  # the INSERT, which also checks the consultation's version
    assert Submission.objects.filter(idempotency_token=data["token"]).count() == 1


def test_a_remembered_route_expires(open_consultation, client, monkeypatch):
    monkeypatch.setattr(route_memory, "ROUTE_SECONDS", 0.0)
    post(client, opinion(client))
    response, queries = post(client, opinion(client))
    assert response.status_code == 302 and routing_queries(queries) == 1


def test_a_consultation_changed_meanwhile_is_routed_again(open_consultation, client):
    post(client, opinion(client))
    open_consultation.save()  # any write gives the row a new version
    data = opinion(client, comment="保存之后的意见")
    response, queries = post(client, data)
    assert response.status_code == 302
    assert routing_queries(queries) == 1  # the stale row refused, then routed again
    assert Submission.objects.filter(idempotency_token=data["token"]).count() == 1


def test_a_consultation_closed_meanwhile_refuses_and_stores_nothing(open_consultation, client, now):
    post(client, opinion(client))
    data = opinion(client)
    open_consultation.opens_at = now - timedelta(days=1)
    open_consultation.closes_at = now - timedelta(seconds=1)
    open_consultation.save()
    response, _queries = post(client, data)
    assert response.status_code == 403
    assert not Submission.objects.filter(idempotency_token=data["token"]).exists()


def test_a_closed_remembered_route_is_not_used(open_consultation, client, now, time_machine):
    """A remembered row that says "closed" is read again rather than trusted for a refusal."""
    post(client, opinion(client))
    data = opinion(client)
    time_machine.move_to(open_consultation.closes_at + timedelta(seconds=1), tick=False)
    response, queries = post(client, data)
    assert response.status_code == 403 and routing_queries(queries) == 1


def test_get_never_uses_a_remembered_route(open_consultation, client):
    post(client, opinion(client))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(FORM).status_code == 200
    assert routing_queries(queries) == 1


def test_nothing_is_counted_on_a_stale_route(open_consultation, client, database_cache):
    post(client, opinion(client))
    open_consultation.save()
    response, _queries = post(client, opinion(client))
    assert response.status_code == 302
    assert Submission.objects.filter(consultation=open_consultation).count() == 2
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT value FROM {DATABASE_CACHE_TABLE} WHERE cache_key LIKE %s",  # noqa: S608
            ["%submit-cons%"],
        )
        assert [row[0] for row in cursor.fetchall()] == ["2"]  # not 3: the stale try counted 0
