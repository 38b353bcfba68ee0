"""Rate limits on the database cache (production's default): one statement, same rules."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory

from feedback.intake import ratelimit
from feedback.tests import DATABASE_CACHE_TABLE

pytestmark = pytest.mark.django_db

TABLE = DATABASE_CACHE_TABLE


def _request(addr: str):
    return RequestFactory().post("/", REMOTE_ADDR=addr)


def test_each_check_is_one_statement(database_cache, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert ratelimit.check_submission(_request("203.0.113.9"), 7) is None
    with django_assert_num_queries(1):
        assert ratelimit.check_receipt_lookup(_request("203.0.113.9")) is None


def test_limit_per_network_with_retry_time_and_no_address_stored(database_cache, settings):
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (2, 600)
    first = [ratelimit.check_submission(_request(f"198.51.100.{i}"), 7) for i in (1, 2, 3)]
    assert first[:2] == [None, None]
    assert first[2] is not None and 0 < first[2].retry_after <= 600
    assert ratelimit.check_submission(_request("198.51.101.1"), 7) is None  # another network
    assert ratelimit.check_submission(_request("198.51.100.1"), 8) is None  # another consultation
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key, value FROM {TABLE}")  # noqa: S608 - constant
        rows = cursor.fetchall()
    assert rows and not any("198.51" in key for key, _ in rows)


def test_refused_requests_do_not_use_up_the_consultation_limit(database_cache, settings):
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (1, 600)
    settings.RATELIMIT_SUBMIT_PER_CONSULTATION = (3, 600)
    assert ratelimit.check_submission(_request("192.0.2.1"), 7) is None
    for _ in range(5):  # one network hammering: refused, and not counted for the consultation
        assert ratelimit.check_submission(_request("192.0.2.1"), 7) is not None
    assert ratelimit.check_submission(_request("192.0.3.1"), 7) is None
    assert ratelimit.check_submission(_request("192.0.4.1"), 7) is None
    limited = ratelimit.check_submission(_request("192.0.5.1"), 7)  # the fourth counted
    assert limited is not None and 0 < limited.retry_after <= 600


def test_a_new_window_starts_from_zero(database_cache, settings):
    settings.RATELIMIT_RECEIPT_PER_ADDRESS = (1, 60)
    assert (
        ratelimit.hit_chain([("receipt", "x", "RATELIMIT_RECEIPT_PER_ADDRESS")], now=600.0) is None
    )
    limited = ratelimit.hit_chain([("receipt", "x", "RATELIMIT_RECEIPT_PER_ADDRESS")], now=630.0)
    assert limited is not None and limited.retry_after == 30
    assert (
        ratelimit.hit_chain([("receipt", "x", "RATELIMIT_RECEIPT_PER_ADDRESS")], now=660.0) is None
    )


@pytest.fixture
def database_cache_committed(settings):
    """The cache table outside any test transaction, as in production (autocommit)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": TABLE}
    }
    call_command("createcachetable", verbosity=0)
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")  # noqa: S608 - constant


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_the_counter_skips_the_disk_wait_and_nothing_else_does(
    database_cache_committed, settings, django_assert_num_queries
):
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (2, 600)
    assert connection.get_autocommit() and not connection.in_atomic_block
    with django_assert_num_queries(1) as captured:
        assert ratelimit.check_submission(_request("203.0.113.9"), 7) is None
    assert captured.captured_queries[0]["sql"].startswith("SET LOCAL synchronous_commit TO OFF;")
    assert ratelimit.check_submission(_request("203.0.113.9"), 7) is None
    assert ratelimit.check_submission(_request("203.0.113.9"), 7) is not None
    with connection.cursor() as cursor:  # the setting ended with the counter's transaction
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
        sql = f"SELECT value FROM {TABLE} WHERE cache_key LIKE %s"  # noqa: S608 - constant
        cursor.execute(sql, ["%submit-addr%"])
        assert cursor.fetchone()[0] == "3"


def test_inside_a_transaction_the_counter_leaves_the_commit_setting_alone(
    database_cache, django_assert_num_queries
):
    with django_assert_num_queries(1) as captured:
        ratelimit.check_submission(_request("203.0.113.9"), 7)
    assert "synchronous_commit" not in captured.captured_queries[0]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
