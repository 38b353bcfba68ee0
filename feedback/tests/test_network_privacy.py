"""Issue 12, points 1 and 2: nothing stored ties an opinion or a contact to a network, and the
per-network limit counts each resident behind a trusted proxy on their own.

The adversaries: a database reader who holds a copy of the database and the application's
settings (SECRET_KEY included); a client who forges X-Forwarded-For; residents who share one
proxy."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory

from feedback.intake import ratelimit
from feedback.models import Contact, Submission
from feedback.tests import DATABASE_CACHE_TABLE
from feedback.tests.conftest import form_url, fresh_token, receipt_from_redirect

ROOT = Path(__file__).resolve().parents[2]
NETWORKS = [f"198.51.{i}.0/24" for i in range(100, 112)]


def _address(network: str, host: int = 7) -> str:
    return network.replace(".0/24", f".{host}")


def _post(client, consultation, address: str, **data):
    token = fresh_token(client, consultation)
    return client.post(form_url(consultation), {"token": token, **data}, REMOTE_ADDR=address)


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _dump_text() -> str:
    """Everything a database reader can read in the tables that matter, as one text."""
    parts = []
    for table in (DATABASE_CACHE_TABLE, "feedback_submission", "feedback_contact"):
        parts += [repr(row) for row in _rows(f"SELECT * FROM {table}")]  # noqa: S608
    return "\n".join(parts)


@pytest.fixture
def committed_cache(database_cache):
    """The database cache with rows committed by the requests themselves (no test
    transaction around them), emptied afterwards."""
    yield database_cache
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DATABASE_CACHE_TABLE}")  # noqa: S608


@pytest.mark.django_db(transaction=True)
def test_a_database_reader_with_the_settings_cannot_join_an_opinion_to_a_network(
    client, index_page, open_consultation, committed_cache
):
    for i, network in enumerate(NETWORKS):
        extra = {"contact_phone": f"1380013{i:04d}"} if i % 2 else {}
        receipt_from_redirect(
            _post(client, open_consultation, _address(network), comment=f"意见 {i}", **extra)
        )
    assert Submission.objects.count() == len(NETWORKS)
    assert Contact.objects.count() == len(NETWORKS) // 2
    dump = _dump_text()

    # 1. No address and no hash the reader can compute from the settings.
    for network in NETWORKS:
        assert network.split("/")[0][:-2] not in dump
        for secret in (settings.SECRET_KEY, ""):
            keyed = hmac.new(secret.encode(), network.encode(), hashlib.sha256).hexdigest()[:32]
            assert keyed not in dump
    # The day's key is nowhere in the database, and not under the project or its settings.
    key = ratelimit.network_key()
    assert key not in dump
    assert key != settings.SECRET_KEY
    assert not ratelimit.key_dir().resolve().is_relative_to(ROOT)

    # 2. No row written in the opinion's transaction: counters and opinions never share one.
    counter_xids = {x for (x,) in _rows(f"SELECT xmin::text FROM {DATABASE_CACHE_TABLE}")}  # noqa: S608
    opinion_xids = {x for (x,) in _rows("SELECT xmin::text FROM feedback_submission")}
    contact_xids = {x for (x,) in _rows("SELECT xmin::text FROM feedback_contact")}
    assert counter_xids and opinion_xids
    assert not counter_xids & (opinion_xids | contact_xids)

    # 3. No time fine enough to match: opinions and contacts to the minute, counters expire
    # on their window's boundary, not at the moment of a request.
    for (value,) in _rows(
        "SELECT received_at FROM feedback_submission UNION ALL "
        "SELECT updated_at FROM feedback_submission UNION ALL "
        "SELECT created_at FROM feedback_contact"
    ):
        assert value.second == 0 and value.microsecond == 0
    window = ratelimit.DEFAULTS["RATELIMIT_SUBMIT_PER_ADDRESS"][1]
    for key_text, expires in _rows(f"SELECT cache_key, expires FROM {DATABASE_CACHE_TABLE}"):  # noqa: S608
        if "submit-addr" in key_text:
            assert (expires.timestamp() - 5) % window == 0


@pytest.mark.django_db
def test_the_network_key_is_random_per_day_private_and_old_days_are_deleted(tmp_path, settings):
    settings.RATELIMIT_KEY_DIR = str(tmp_path / "keys")
    ratelimit.forget_network_key()
    day1, day2 = 1_800_000_000, 1_800_000_000 + 86_400
    try:
        first = ratelimit.network_key(now=day1)
        assert first == ratelimit.network_key(now=day1 + 60)
        assert len(bytes.fromhex(first)) == 32 and first != settings.SECRET_KEY
        directory = Path(settings.RATELIMIT_KEY_DIR)
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700
        (path,) = directory.iterdir()
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        second = ratelimit.network_key(now=day2)
        assert second != first
        assert [p.name for p in directory.iterdir()] == [path.name.replace("20270115", "20270116")]
        # Another process of the same day reads the same key from the folder.
        ratelimit.forget_network_key()
        assert ratelimit.network_key(now=day2 + 3600) == second
    finally:
        ratelimit.forget_network_key()


@pytest.mark.django_db
def test_expired_counters_are_deleted_when_their_window_has_ended(database_cache, settings):
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (30, 60)
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    long_ago = 1_700_000_000.0
    ratelimit.hit_chain(ratelimit.submission_scopes(request, 7), now=long_ago)
    assert _rows(f"SELECT count(*) FROM {DATABASE_CACHE_TABLE}") == [(2,)]  # noqa: S608
    ratelimit._next_sweep[0] = 0.0  # the next counting statement may sweep
    ratelimit.check_submission(request, 7)
    keys = [k for (k,) in _rows(f"SELECT cache_key FROM {DATABASE_CACHE_TABLE}")]  # noqa: S608
    assert len(keys) == 2  # only the current window's two counters are left
    assert all(f":{int(long_ago // 60)}" not in k for k in keys)
    # The daily privacy task can sweep too, without a request.
    ratelimit.hit_chain(ratelimit.submission_scopes(request, 7), now=long_ago)
    assert ratelimit.delete_expired_counters() == 2


def _behind_proxy(client_address: str, proxy: str = "10.0.0.2"):
    return RequestFactory().post("/", REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=f"{client_address}")


@pytest.mark.django_db
def test_35_residents_behind_one_trusted_proxy_are_each_limited_on_their_own(
    database_cache, settings
):
    settings.RATELIMIT_TRUSTED_PROXIES = 1
    settings.RATELIMIT_TRUSTED_PROXY_ADDRESSES = ["10.0.0.0/29"]
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (2, 600)
    residents = [f"100.64.{i}.20" for i in range(35)]
    for _ in range(2):
        for resident in residents:
            assert ratelimit.check_submission(_behind_proxy(resident), 7) is None
    # The third opinion of one resident in the window is refused; nobody else is affected.
    assert ratelimit.check_submission(_behind_proxy(residents[0]), 7) is not None
    assert ratelimit.check_submission(_behind_proxy("100.64.200.20"), 7) is None


@pytest.mark.django_db
def test_a_forged_forwarded_for_from_a_direct_client_is_ignored(database_cache, settings):
    settings.RATELIMIT_TRUSTED_PROXIES = 1
    settings.RATELIMIT_TRUSTED_PROXY_ADDRESSES = ["10.0.0.2"]
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (2, 600)
    forged = [_behind_proxy(f"100.64.{i}.1", proxy="203.0.113.50") for i in range(3)]
    assert ratelimit.client_network(forged[0]) == "203.0.113.0/24"
    assert ratelimit.check_submission(forged[0], 7) is None
    assert ratelimit.check_submission(forged[1], 7) is None
    assert ratelimit.check_submission(forged[2], 7) is not None  # one network, three tries
    settings.RATELIMIT_TRUSTED_PROXIES = 0  # no proxy configured: the header never counts
    assert ratelimit.client_network(_behind_proxy("100.64.9.1")) == "10.0.0.0/24"


@pytest.mark.django_db
def test_an_administrator_can_raise_the_per_network_limit_of_one_consultation(
    client, index_page, open_consultation, database_cache, settings
):
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (1, 600)
    open_consultation.opinions_per_network = 3
    open_consultation.save()
    for n in range(3):
        receipt_from_redirect(_post(client, open_consultation, "192.0.2.10", comment=f"第{n}条"))
    assert _post(client, open_consultation, "192.0.2.11", comment="第四条").status_code == 429


def _production(**extra) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RATELIMIT_", "DJANGO_SETTINGS_MODULE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.config.settings.production",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        ALLOWED_HOSTS="example.org",
        CONTACT_ENCRYPTION_KEY="YmVuY2gtZXhwb3J0LW5vdC1hLXNlY3JldC0wMDAwMDA=",
        EXPORT_DIR="/tmp/tingjian-test-exports",  # never written by an import
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-c", "import cms.config.settings.production"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_behind_a_proxy_it_does_not_trust():
    unset = _production()
    assert unset.returncode != 0 and "RATELIMIT_TRUSTED_PROXIES must be set" in unset.stderr
    no_addresses = _production(RATELIMIT_TRUSTED_PROXIES="1")
    assert no_addresses.returncode != 0
    assert "RATELIMIT_TRUSTED_PROXY_ADDRESSES" in no_addresses.stderr
    named = _production(RATELIMIT_TRUSTED_PROXIES="1", RATELIMIT_TRUSTED_PROXY_ADDRESSES="::1")
    assert named.returncode == 0, named.stderr
    direct = _production(RATELIMIT_TRUSTED_PROXIES="0")
    assert direct.returncode == 0, direct.stderr
