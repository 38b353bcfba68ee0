"""Rate limits: keyed hashes of truncated addresses, a translated 429 with a retry time."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import RequestFactory, override_settings

from feedback.intake import ratelimit
from feedback.models import Submission
from feedback.tests.conftest import form_url, fresh_token, receipt_from_redirect


def _request(addr: str):
    return RequestFactory().get("/", REMOTE_ADDR=addr)


def test_addresses_are_truncated_and_hashed():
    assert ratelimit.client_network(_request("203.0.113.77")) == "203.0.113.0/24"
    assert ratelimit.client_network(_request("2001:db8:1:2::5")) == "2001:db8:1::/48"
    same = ratelimit.hashed_network(_request("203.0.113.1"))
    assert same == ratelimit.hashed_network(_request("203.0.113.250"))
    assert same != ratelimit.hashed_network(_request("203.0.114.1"))
    assert "203.0.113" not in same


def test_remembered_hashes_follow_the_days_key(tmp_path):
    import hashlib
    import hmac

    first = ratelimit.hashed_network(_request("198.51.100.9"))
    assert first == ratelimit.hashed_network(_request("198.51.100.9"))  # remembered: the same
    with override_settings(RATELIMIT_KEY_DIR=str(tmp_path)):  # another folder: another key
        ratelimit.forget_network_key()
        try:
            other = ratelimit.hashed_network(_request("198.51.100.9"))
            key = ratelimit.network_key()
        finally:
            ratelimit.forget_network_key()
    expected = hmac.new(key.encode(), b"198.51.100.0/24", hashlib.sha256).hexdigest()[:32]
    assert other == expected != first
    assert ratelimit.client_network(_request("not an address")) == "unknown"


@pytest.mark.django_db
def test_no_address_is_kept_in_the_cache(index_page, open_consultation):
    request = _request("198.51.100.23")
    ratelimit.check_submission(request, open_consultation.pk)
    keys = list(cache._cache.keys())  # locmem in tests
    assert keys and not any("198.51.100" in k for k in keys)


@pytest.mark.django_db
@override_settings(RATELIMIT_SUBMIT_PER_ADDRESS=(2, 600))
def test_third_opinion_from_one_network_gets_a_429_with_retry_time(
    client, index_page, open_consultation
):
    for _ in range(2):
        token = fresh_token(client, open_consultation)
        receipt_from_redirect(
            client.post(form_url(open_consultation), {"token": token, "stance": "support"})
        )
    token = fresh_token(client, open_consultation)
    client.cookies["django_language"] = "en"
    response = client.post(form_url(open_consultation), {"token": token, "stance": "support"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    html = response.content.decode()
    assert "Please try again in" in html
    assert "captcha" not in html.lower()
    assert Submission.objects.count() == 2


@pytest.mark.django_db
@override_settings(RATELIMIT_RECEIPT_PER_ADDRESS=(3, 600))
def test_guessing_receipt_codes_is_limited(client, index_page):
    statuses = [
        client.get(f"/consultations/receipt/0000-0000-000{i}/").status_code for i in range(5)
    ]
    assert statuses == [404, 404, 404, 429, 429]
