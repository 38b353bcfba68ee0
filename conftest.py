"""Fixtures shared by every app's tests. Keep this small; app fixtures live in the apps.

Fixtures that need the public page tree live here (outside the three packages) so that the
``feedback`` and ``consultations`` tests can use the site without importing ``cms``, which the
layers contract forbids.
"""

import os

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made here by
# fixtures are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (zh-hans): a request made in English by an
    earlier test leaves English active in this thread (LocaleMiddleware activates the request's
    language and nothing switches it back), which made text assertions depend on test order."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _forget_routes():
    """Routing rows remembered by an earlier test's POSTs (cms.route_memory) and form parts and
    pages kept by its requests (feedback.intake.views) name its rows."""
    from cms.route_memory import forget_routes
    from feedback.intake.views import forget_form_parts

    forget_routes()
    forget_form_parts()
    yield
    forget_routes()
    forget_form_parts()


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "password_only: the test client's login/force_login give a session without the second "
        "factor (tests of staff authentication itself); see the fixture unverified_client",
    )


@pytest.fixture(autouse=True)
def _staff_second_factor(request, monkeypatch):
    """Test-only: ``Client.force_login`` and ``Client.login`` also pass the second factor, as a
    staff member who typed a real TOTP code would (a real confirmed device is made for the
    user; the session names it as django_otp.login does). Their session is also marked active
    in the far future, so that tests which move the clock by days are not signed out by the
    30-minute idle timeout and pay no extra session write. Tests of authentication itself opt
    out with ``@pytest.mark.password_only`` or the ``unverified_client`` fixture.

    ``Client.login`` also gets a request to pass to ``authenticate`` (django-axes refuses to
    authenticate without one; a bare request has no address and is counted as such)."""
    from django.http import HttpRequest
    from django.test import Client

    verify = not (
        request.node.get_closest_marker("password_only")
        or "unverified_client" in request.fixturenames
    )
    original_force_login, original_login = Client.force_login, Client.login

    def force_login(self, user, backend=None):
        original_force_login(self, user, backend)
        if verify:
            _verify_test_session(self, user)

    def login(self, **credentials):
        credentials.setdefault("request", HttpRequest())
        logged_in = original_login(self, **credentials)
        if logged_in and verify:
            _verify_test_session(self, self.session.get("_auth_user_id"))
        return logged_in

    monkeypatch.setattr(Client, "force_login", force_login)
    monkeypatch.setattr(Client, "login", login)
    yield


def _verify_test_session(client, user) -> None:
    from django.contrib.auth import get_user_model
    from django_otp import DEVICE_ID_SESSION_KEY

    from cms.staff_auth.activity import LAST_SEEN_SESSION_KEY
    from feedback.tests._browser import staff_totp_device

    if not hasattr(user, "pk"):
        user = get_user_model().objects.get(pk=user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = staff_totp_device(user).persistent_id
    session[LAST_SEEN_SESSION_KEY] = 253402300799  # 9999-12-31: never idle in these tests
    session.save()


@pytest.fixture
def unverified_client(db):
    """A test client whose login/force_login give a password-only session (no second factor,
    the idle timeout as in production): for tests of staff authentication itself."""
    from django.test import Client

    return Client()


@pytest.fixture
def database_cache(settings):
    """The default cache in the database (production's), its table made inside the test's
    transaction; the rate-limit counters then run as SQL. Other cache aliases stay."""
    from django.core.cache import caches
    from django.core.management import call_command

    from feedback.intake import ratelimit
    from feedback.tests import DATABASE_CACHE_TABLE

    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": DATABASE_CACHE_TABLE,
        },
    }
    call_command("createcachetable", verbosity=0)
    assert ratelimit._database_counters()
    return caches["default"]


def _site_tree():
    from cms.site_setup import ensure_site_tree

    return ensure_site_tree()


def _index_of(home):
    return home.get_children().get(slug="consultations").specific


@pytest.fixture
def site_tree(db):
    """The public page tree (home, /consultations/, fixed pages), as ``setup_site`` makes it."""
    return _site_tree()


@pytest.fixture
def consultation_index(db):
    """The routable consultation index page at /consultations/ (with the tree around it)."""
    return _index_of(_site_tree())


@pytest.fixture
def consultation_index_transactional(transactional_db):
    """The same, for tests that run a live server and need committed data."""
    return _index_of(_site_tree())


# Browser tests: one system Chromium (never a downloaded browser) for the whole session.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("no system Chromium at /usr/bin/chromium: run scripts/system-deps.sh test")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium, live_server):
    """Factory for isolated browser contexts on the live server; closed after the test."""
    contexts = []

    def make(*, language: str | None = None, **options):
        options.setdefault("locale", "zh-CN")
        context = chromium.new_context(base_url=live_server.url, **options)
        if language:
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()
