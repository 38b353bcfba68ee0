import pytest
from django.test import RequestFactory

from cms.bench_views import one_query

pytestmark = pytest.mark.django_db


def test_bench_baseline_view_runs_exactly_one_query(django_assert_num_queries):
    request = RequestFactory().get("/bench/one-query")
    with django_assert_num_queries(1):
        response = one_query(request)
    assert response.status_code == 200
    assert response.content.startswith(b"ok ")
