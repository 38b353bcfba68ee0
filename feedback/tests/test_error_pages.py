"""Issue 13, point 6: the 404, 500, 400 and CSRF-failure pages are the site's own, in Chinese
or English, and need no database: each is rendered with the database unreachable, and with
it reachable each makes no query at all."""

from __future__ import annotations

import re
import sys
from html import unescape

import pytest
from django.db import OperationalError
from django.middleware.csrf import REASON_NO_CSRF_COOKIE, _get_failure_view
from django.test import Client, RequestFactory
from django.urls import get_resolver

from feedback.models import Submission
from feedback.tests.conftest import form_url
from feedback.tests.test_outage import Outage, _resend_form

pytestmark = pytest.mark.django_db(transaction=True)


class errors:  # noqa: N801 - the views as Django finds them (the settings and the root URLconf)
    page_not_found = staticmethod(
        lambda request, exc: get_resolver().resolve_error_handler(404)(request, exc)
    )
    server_error = staticmethod(lambda request: get_resolver().resolve_error_handler(500)(request))
    bad_request = staticmethod(
        lambda request, exc: get_resolver().resolve_error_handler(400)(request, exc)
    )
    csrf_failure = staticmethod(lambda request, reason: _get_failure_view()(request, reason))


@pytest.fixture
def outage():
    outage = Outage()
    yield outage
    outage.up()


def _site_look(html: str) -> None:
    assert "/static/cms/css/site.css" in html and 'class="site-header"' in html
    assert 'action="/i18n/setlang/"' in html  # the language switch, without the database


def _raised(exc: Exception, view, request):
    """Call a handler500-style view inside an except block, as Django does."""
    try:
        raise exc
    except Exception:
        return view(request)


@pytest.mark.parametrize(
    ("headers", "cookies", "language", "title"),
    [
        ({}, {}, "zh-Hans", "找不到该页面"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, {}, "en", "Page not found"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, {"django_language": "zh-hans"}, "zh-Hans", "找不到该页面"),
        ({}, {"django_language": "en"}, "en", "Page not found"),
    ],
)
def test_404_is_the_sites_page_in_the_readers_language(
    client, consultation_index, settings, headers, cookies, language, title
):
    settings.DEBUG = False
    for name, value in cookies.items():
        client.cookies[name] = value
    response = client.get("/no-such-page/", **headers)
    assert response.status_code == 404
    html = response.content.decode()
    assert f'lang="{language}"' in html and title in html
    _site_look(html)


def test_a_mistyped_receipt_link_points_to_the_receipt_lookup(client, consultation_index):
    response = client.get("/consultations/receipt/ABCD-EFGH/extra/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This receipt link is not valid" in html
    assert 'href="/consultations/receipt/" id="receipt-lookup-link"' in html


def test_every_error_page_renders_with_the_database_down(outage):
    factory = RequestFactory()
    get = factory.get("/consultations/receipt/nonsense/x/", HTTP_ACCEPT_LANGUAGE="en")
    post = factory.post("/consultations/x/opinion/", {"comment": "我的意见", "token": "t"})
    outage.down()
    pages = {
        "404": errors.page_not_found(get, None),
        "500": _raised(RuntimeError("bug"), errors.server_error, post),
        "503": _raised(OperationalError("down"), errors.server_error, post),
        "csrf": errors.csrf_failure(post, REASON_NO_CSRF_COOKIE),
        "400": errors.bad_request(get, None),
    }
    assert {k: r.status_code for k, r in pages.items()} == {
        "404": 404,
        "500": 500,
        "503": 503,
        "csrf": 403,
        "400": 400,
    }
    assert "This receipt link is not valid" in pages["404"].content.decode()
    for name in ("500", "503", "csrf"):
        assert "我的意见" in pages[name].content.decode(), name
    assert pages["503"]["Retry-After"]


def test_error_pages_make_no_query(django_assert_num_queries):
    factory = RequestFactory()
    post = factory.post("/consultations/x/opinion/", {"comment": "意见"})
    with django_assert_num_queries(0):
        errors.page_not_found(factory.get("/x/"), None)
        _raised(RuntimeError("bug"), errors.server_error, post)
        errors.csrf_failure(post, "")


def test_500_page_with_debug_off(client, consultation_index, settings, monkeypatch):
    settings.DEBUG = False

    def broken(request, path):
        raise RuntimeError("a bug")

    # /<index>/<slug>/ falls back to Wagtail's serve, imported when called.
    monkeypatch.setattr("wagtail.views.serve", broken)
    quiet = Client(raise_request_exception=False)
    response = quiet.get("/consultations/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html and 'lang="en"' in html
    _site_look(html)


def test_csrf_failure_explains_shows_the_text_and_the_resend_stores_once(
    consultation_index, open_consultation
):
    browser = Client(enforce_csrf_checks=True)
    data = {"token": "5b0c0a4e-2222-4222-8222-000000000001", "comment": "<i>太长时间</i>"}
    response = browser.post(form_url(open_consultation), data)  # no CSRF cookie at all
    assert response.status_code == 403
    html = response.content.decode()
    assert "您提交的表单无法被接受" in html and "您的意见没有保存。" in html
    assert 'class="tj-likely"' in html  # cookies: the likely cause here
    assert "<i>太长时间</i>" not in html
    box = re.search(r'<textarea id="sent-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert "<i>太长时间</i>" in unescape(box)
    assert Submission.objects.count() == 0
    # The page carries a new token (and set its cookie): the re-send is accepted, once.
    action, fields = _resend_form(html)
    payload: dict[str, list[str]] = {}
    for name, value in fields:
        payload.setdefault(name, []).append(value)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    payload["csrfmiddlewaretoken"] = [token]
    first = browser.post(action, payload)
    assert first.status_code == 302
    assert browser.post(action, payload).status_code == 302
    assert Submission.objects.count() == 1


def test_csrf_page_never_shows_text_a_foreign_site_posted(consultation_index, open_consultation):
    """A form on another site can post to ours; our page must not present its text as the
    resident's (content spoofing), nor offer to send it."""
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        form_url(open_consultation),
        {"comment": "官方通知：本次征求意见已取消"},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "官方通知" not in html and "data-resend" not in html
    assert "您提交的表单无法被接受" in html


def test_the_outage_page_is_used_for_errors_outside_the_views(outage):
    """An error raised by a middleware (not the view) goes to handler500: still the 503."""
    request = RequestFactory().post("/consultations/x/opinion/", {"comment": "中间件之后"})
    outage.down()
    response = _raised(
        OperationalError("the server closed the connection"), errors.server_error, request
    )
    assert response.status_code == 503
    assert "中间件之后" in response.content.decode()
    assert sys.exc_info() == (None, None, None)
