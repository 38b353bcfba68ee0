import re
import uuid

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import path

from cms import bench_views
from cms.bench_views import one_insert, one_query

pytestmark = pytest.mark.django_db

# Routed here for the tests below (the real route exists only with BENCH_VIEWS=1).
urlpatterns = [path("bench/one-insert", one_insert)]
RECEIPT = re.compile(r"^/bench/one-insert/receipt/\?(\w+)=1$")


def _number(response) -> int:
    """The row named by the signed receipt cookie (the redirect carries no code, like the
    opinion form's)."""
    request = RequestFactory().get("/")
    request.COOKIES["tj_receipt"] = response.cookies["tj_receipt"].value
    return int(request.get_signed_cookie("tj_receipt", salt="bench.one_insert"))


@pytest.fixture
def bench_table(monkeypatch):
    # The table is created inside the test's transaction, so every test creates it anew.
    monkeypatch.setattr(bench_views, "_table_ready", False)
    bench_views.ensure_bench_table()


def _rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT idempotency_token, id, comment FROM bench_opinion")
        return cursor.fetchall()


def test_bench_baseline_view_runs_exactly_one_query(django_assert_num_queries):
    request = RequestFactory().get("/bench/one-query")
    with django_assert_num_queries(1):
        response = one_query(request)
    assert response.status_code == 200
    assert response.content.startswith(b"ok ")


def test_one_insert_stores_one_row_with_one_statement_and_redirects_to_its_receipt(
    bench_table, django_assert_num_queries
):
    token = uuid.uuid4()
    data = {"token": str(token), "stance": "oppose", "comment": "希望公开环评报告全文。"}
    request = RequestFactory().post("/bench/one-insert", data)
    with django_assert_num_queries(1):
        response = one_insert(request)
    assert response.status_code == 302
    match = RECEIPT.match(response["Location"])
    assert match and match[1] == "sent"
    assert _rows() == [(token, _number(response), "希望公开环评报告全文。")]


def test_one_insert_sent_twice_returns_the_first_receipt_and_stores_once(bench_table):
    data = {"token": str(uuid.uuid4()), "comment": "同一份"}
    first = one_insert(RequestFactory().post("/bench/one-insert", data))
    again = one_insert(RequestFactory().post("/bench/one-insert", data))
    assert _number(again) == _number(first)
    assert RECEIPT.match(again["Location"])[1] == "again"
    assert len(_rows()) == 1


def test_one_insert_refuses_a_missing_token(bench_table):
    response = one_insert(RequestFactory().post("/bench/one-insert", {"comment": "x"}))
    assert response.status_code == 400
    assert _rows() == []


@pytest.mark.urls("cms.tests.test_bench_views")
def test_one_insert_passes_the_csrf_check_like_the_opinion_form(bench_table):
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/bench/one-insert", {"token": str(uuid.uuid4())})
    assert refused.status_code == 403
    page = client.get("/bench/one-insert")
    assert page.status_code == 200
    fields = dict(re.findall(r"^(\w+)=(\S+)$", page.content.decode(), re.M))
    uuid.UUID(fields["token"])
    response = client.post("/bench/one-insert", fields)
    assert response.status_code == 302 and RECEIPT.match(response["Location"])
    assert len(_rows()) == 1
