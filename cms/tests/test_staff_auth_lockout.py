"""Failed staff logins lock the account and the address (django-axes), as an attacker tries it."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import translation

from cms.tests._staff_auth import (
    PASSWORD,
    is_signed_in,
    make_staff,
    post_password,
)
from feedback.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]

LIMIT = 10


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_MINUTES = 30


def test_sixty_wrong_passwords_then_the_right_one_is_refused(client):
    make_staff("official")
    statuses = [
        post_password(client, "official", f"guess-{n:04d}-x").status_code for n in range(60)
    ]
    assert statuses[: LIMIT - 1] == [200] * (LIMIT - 1)  # the form again, with its error
    assert set(statuses[LIMIT - 1 :]) == {429}
    response = post_password(client, "official", PASSWORD)
    assert response.status_code == 429
    assert not is_signed_in(client)
    # The account is locked from every address, not only the attacker's.
    elsewhere = Client()
    assert post_password(elsewhere, "official", PASSWORD, address="10.9.9.9").status_code == 429
    assert not is_signed_in(elsewhere)


def test_many_accounts_from_one_address_lock_the_address(client):
    make_staff("official")
    for n in range(LIMIT):
        post_password(client, f"someone-{n}", "wrong-password-1", address="10.2.2.2")
    response = post_password(client, "official", PASSWORD, address="10.2.2.2")
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_another_address_is_not_locked_by_failures_on_another_account():
    make_staff("official")
    attacker = Client()
    for n in range(LIMIT):
        post_password(attacker, f"someone-{n}", "wrong-password-1", address="10.2.2.2")
    colleague = Client()
    response = post_password(colleague, "official", PASSWORD, address="10.3.3.3")
    assert response.status_code == 302
    assert is_signed_in(colleague)


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forged_forwarded_for_does_not_escape_the_address_lock(client, settings, proxies):
    settings.RATELIMIT_TRUSTED_PROXIES = proxies
    settings.RATELIMIT_TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]
    make_staff("official")
    for n in range(LIMIT):
        post_password(
            client,
            f"someone-{n}",
            "wrong-password-1",
            address="10.2.2.2",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n + 1}",
        )
    response = post_password(
        client, "official", PASSWORD, address="10.2.2.2", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.2.2.2"}


def test_behind_the_trusted_proxy_each_client_is_counted_by_its_own_address(client, settings):
    settings.RATELIMIT_TRUSTED_PROXIES = 1
    settings.RATELIMIT_TRUSTED_PROXY_ADDRESSES = ["127.0.0.1"]
    make_staff("official")
    for n in range(LIMIT):
        # The client forges a first hop; the proxy appends the real address last.
        post_password(
            client,
            f"someone-{n}",
            "wrong-password-1",
            address="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}, 10.2.2.2",
        )
    locked = post_password(
        Client(), "official", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR="10.2.2.2"
    )
    assert locked.status_code == 429
    other = Client()
    fine = post_password(
        other, "official", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR="10.4.4.4"
    )
    assert fine.status_code == 302 and is_signed_in(other)


def test_the_lockout_page_explains_in_both_languages(client):
    make_staff("official")
    for _n in range(LIMIT):
        response = post_password(client, "official", "wrong-password-1")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已暂时锁定" in page
    assert "30 分钟后再试" in page
    assert '<body id="wagtail" class="login"' in page
    english = post_password(client, "official", "wrong-password-1", HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        text = english.content.decode()
    assert english.status_code == 429
    assert "Try again in 30 minutes" in text
    assert "site administrator" in text


def test_the_lock_ends_after_the_cool_off(client, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+08:00", tick=False)
    make_staff("official")
    for _n in range(LIMIT):
        post_password(client, "official", "wrong-password-1")
    time_machine.shift(timedelta(minutes=29))
    assert post_password(client, "official", PASSWORD).status_code == 429
    # That attempt while locked started the wait again.
    time_machine.shift(timedelta(minutes=29))
    assert post_password(Client(), "official", PASSWORD, address="10.8.8.8").status_code == 429
    time_machine.shift(timedelta(minutes=31))
    other = Client()
    assert post_password(other, "official", PASSWORD, address="10.8.8.8").status_code == 302
    assert is_signed_in(other)


# -- unlock by a site administrator -------------------------------------------------------------


def _lock_account(username="official"):
    """The attacker at 10.6.6.6 locks the account, and the address with other accounts too."""
    attacker = Client()
    for n in range(LIMIT):
        post_password(attacker, username, "wrong-password-1", address="10.6.6.6")
        post_password(attacker, f"other-{n}", "wrong-password-1", address="10.6.6.6")


def _refused(response) -> bool:
    """Wagtail answers a PermissionDenied in its admin with a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


@pytest.fixture
def admin_client():
    """A site administrator's fully signed-in session (password and second factor)."""
    from cms.tests._staff_auth import sign_in

    admin = make_staff("chief", superuser=True)
    client = Client(enforce_csrf_checks=False)
    sign_in(client, admin, address="10.7.7.7")
    return client


def test_a_site_administrator_sees_the_lock_and_unlocks_the_account(admin_client):
    make_staff("official")
    _lock_account()
    page = admin_client.get("/admin/staff-security/")
    assert page.status_code == 200
    assert "official" in page.content.decode()
    assert "10.6.6.6" in page.content.decode()
    response = admin_client.post(
        "/admin/staff-security/unlock/", {"kind": "username", "value": "official"}
    )
    assert response.status_code == 302
    colleague = Client()
    assert post_password(colleague, "official", PASSWORD, address="10.9.9.9").status_code == 302
    assert is_signed_in(colleague)
    # The attacker's address stays locked: only the account was unlocked.
    assert post_password(Client(), "official", PASSWORD, address="10.6.6.6").status_code == 429
    entry = AuditEntry.objects.get(action="login_unlock")
    assert entry.detail["value"] == "official"


def test_a_site_administrator_unlocks_an_address(admin_client):
    make_staff("official")
    _lock_account("nobody")
    response = admin_client.post(
        "/admin/staff-security/unlock/", {"kind": "ip_address", "value": "10.6.6.6"}
    )
    assert response.status_code == 302
    assert post_password(Client(), "official", PASSWORD, address="10.6.6.6").status_code == 302


def test_unlock_is_refused_to_other_staff(client):
    from cms.tests._staff_auth import sign_in

    make_staff("official")
    _lock_account()
    editor = make_staff("editor-li")
    sign_in(client, editor, address="10.7.7.7")
    assert _refused(client.get("/admin/staff-security/"))
    response = client.post(
        "/admin/staff-security/unlock/", {"kind": "username", "value": "official"}
    )
    assert _refused(response)
    assert post_password(Client(), "official", PASSWORD, address="10.9.9.9").status_code == 429


def test_unlock_needs_the_csrf_token():
    from cms.tests._staff_auth import sign_in

    make_staff("official")
    _lock_account()
    admin = make_staff("chief", superuser=True)
    client = Client(enforce_csrf_checks=True)
    sign_in_with_csrf = Client()
    sign_in(sign_in_with_csrf, admin)
    client.cookies = sign_in_with_csrf.cookies
    response = client.post(
        "/admin/staff-security/unlock/", {"kind": "username", "value": "official"}
    )
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username="official").exists()


def test_a_password_only_session_cannot_unlock(client):
    make_staff("official")
    _lock_account()
    make_staff("chief", superuser=True)
    post_password(client, "chief")
    response = client.post(
        "/admin/staff-security/unlock/", {"kind": "username", "value": "official"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/second-factor/")
    assert AccessAttempt.objects.filter(username="official").exists()
