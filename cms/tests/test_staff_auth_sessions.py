"""Staff sessions: nothing of the admin (nor staff views elsewhere) without the second factor,
30 idle minutes sign out, passwords of 12+ characters not on the common list; residents' pages
untouched."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from cms.tests._staff_auth import LOGIN, make_staff, post_password, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.password_only]

OPEN = (
    "/admin/login/",
    "/admin/logout/",
    "/admin/password_reset/",
    "/admin/jsi18n/",
    "/admin/sprite/",
    "/admin/second-factor/",
)


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(route: str) -> str:
    """A URL for a route with every converter filled with a plausible value."""
    import re

    route = route.replace("^", "").replace("$", "").replace("\\Z", "").replace(".*", "x")
    route = route.replace("\\", "")
    route = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", route)
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<uuid:[^>]+>", "00000000-0000-0000-0000-000000000001", route)
    route = re.sub(r"<[^>]+>", "x", route)
    return "/" + route


def _routes():
    return sorted({_concrete(r) for r in _walk(get_resolver().url_patterns)})


def test_a_password_only_session_reaches_no_admin_url(client):
    make_staff("chief", superuser=True)
    assert post_password(client, "chief").status_code == 302
    admin_urls = [u for u in _routes() if u.startswith("/admin/") and not u.startswith(OPEN)]
    assert len(admin_urls) > 100  # the walk found Wagtail's and our screens
    assert "/admin/api/main/pages/" in admin_urls
    leaks = []
    for url in admin_urls:
        for method in (client.get, client.post):
            response = method(url)
            location = response.get("Location", "")
            if not (response.status_code == 302 and location.startswith("/admin/second-factor/")):
                leaks.append((method.__name__, url, response.status_code, location))
    assert leaks == []


def test_a_password_only_session_is_anonymous_on_every_other_url(client, site_tree):
    make_staff("chief", superuser=True)
    post_password(client, "chief")
    anonymous = Client(raise_request_exception=False)
    client.raise_request_exception = False
    others = [u for u in _routes() if not u.startswith("/admin/")]
    assert any(url.startswith("/documents/1/") for url in others)
    differences = []
    for url in others:
        seen, expected = client.get(url), anonymous.get(url)
        if seen.status_code != expected.status_code:
            differences.append((url, seen.status_code, expected.status_code))
    assert differences == []


@pytest.mark.urls("cms.tests._staff_auth_urls")
def test_outside_the_admin_a_password_only_session_is_anonymous(client):
    make_staff("chief", superuser=True)
    post_password(client, "chief")
    assert client.get("/staff-probe/").content == b"anonymous"


@pytest.mark.urls("cms.tests._staff_auth_urls")
def test_outside_the_admin_a_verified_session_is_a_staff_member(client):
    sign_in(client, make_staff("chief", superuser=True))
    assert client.get("/staff-probe/").content == b"staff"


# -- idle timeout --------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, time_machine):
    time_machine.move_to("2026-03-02 10:00:00+08:00", tick=False)
    user = make_staff("official")
    sign_in(client, user)
    assert client.get("/admin/").status_code == 200
    return client


def test_29_idle_minutes_keep_the_session(signed_in, time_machine):
    time_machine.shift(timedelta(minutes=29))
    assert signed_in.get("/admin/").status_code == 200
    # Activity counts from the last request: 29 more minutes are still fine.
    time_machine.shift(timedelta(minutes=29))
    assert signed_in.get("/admin/").status_code == 200


def test_31_idle_minutes_sign_out_with_a_message(signed_in, time_machine):
    time_machine.shift(timedelta(minutes=31))
    response = signed_in.get("/admin/pages/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in signed_in.session
    page = signed_in.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    with translation.override("en"):
        text = page.content.decode()
    assert "signed out after 30 minutes without activity" in text


def test_the_idle_message_is_in_chinese_by_default(signed_in, time_machine):
    time_machine.shift(timedelta(minutes=31))
    response = signed_in.get("/admin/")
    page = signed_in.get(response["Location"]).content.decode()
    assert "30 分钟" in page


def test_public_pages_do_not_count_as_activity(signed_in, time_machine):
    time_machine.shift(timedelta(minutes=20))
    signed_in.get("/")
    time_machine.shift(timedelta(minutes=11))
    assert signed_in.get("/admin/").status_code == 302


@pytest.mark.urls("cms.tests._staff_auth_urls")
def test_an_idle_session_is_anonymous_outside_the_admin(signed_in, time_machine):
    time_machine.shift(timedelta(minutes=29))
    assert signed_in.get("/staff-probe/").content == b"staff"
    time_machine.shift(timedelta(minutes=2))
    assert signed_in.get("/staff-probe/").content == b"anonymous"


# -- residents are not concerned --------------------------------------------------------------


def test_public_pages_write_no_session_and_no_lockout_row(client, site_tree):
    from axes.models import AccessAttempt

    response = client.get("/")
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert not AccessAttempt.objects.exists()


# -- passwords ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password", ["Xk3#pq9!mZ2", "password1234", "123456789012", "qwertyuiop123"]
)
def test_short_or_common_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize("password", ["tingjian-demo", "kettle-orbit-ferry-42"])
def test_long_uncommon_passwords_are_accepted(password):
    validate_password(password)


def test_changing_to_an_11_character_password_is_refused_in_the_admin(client):
    user = make_staff("official")
    sign_in(client, user)
    response = client.post(
        "/admin/account/",
        {
            "password-old_password": "kettle-orbit-ferry-42",
            "password-new_password1": "Xk3#pq9!mZ2",
            "password-new_password2": "Xk3#pq9!mZ2",
        },
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password("kettle-orbit-ferry-42")


# -- no bypass -----------------------------------------------------------------------------------


def test_the_settings_every_environment_shares_keep_the_enforcement():
    """production.py, dev.py and test.py import base.py and change none of these; nothing
    turns them off (there is no such setting)."""
    from pathlib import Path

    from django.conf import settings

    assert "cms.staff_auth.middleware.StaffAuthMiddleware" in settings.MIDDLEWARE
    assert "cms.staff_auth.middleware.OTPMiddleware" in settings.MIDDLEWARE
    assert "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.AXES_ENABLED is True
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    folder = Path(settings.BASE_DIR) / "cms/config/settings"
    for name in ("production.py", "dev.py", "test.py"):
        source = (folder / name).read_text()
        for word in ("staff_auth", "django_otp", "axes", "AUTHENTICATION_BACKENDS", "OTP_", "IDLE"):
            assert word not in source, (name, word)


def test_a_cross_site_get_of_the_logout_address_signs_nobody_out(client):
    """A forger's ``<img src=/admin/logout/>``: Wagtail's view deleted the session cookie even on
    the 405 it gave a GET. The GET now changes nothing; the logout button (POST) still works."""
    user = make_staff("gatekeeper", superuser=True)
    sign_in(client, user)
    assert client.get("/admin/").status_code == 200
    answer = client.get("/admin/logout/")
    assert answer.status_code == 405
    assert "sessionid" not in answer.cookies
    assert client.get("/admin/").status_code == 200
    assert client.post("/admin/logout/").status_code == 302
    assert client.get("/admin/").status_code == 302
