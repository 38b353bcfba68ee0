"""Issue 13, point 6: a resident never loses text to a database outage.

The database is really made unreachable: the test's connection is closed and pointed at a
port on 127.0.0.1 where nothing listens, so every statement of the request fails as in an
outage (connection refused); or it is cut in the middle of the request, just before the
INSERT or just after its commit. Each time the resident gets the 503 page that says the
opinion was not stored (or cannot be confirmed), with their text escaped in a box to copy and
a button that sends the same POST again; once the database is back, that re-send stores the
opinion exactly once, however often it is pressed.
"""

from __future__ import annotations

import contextlib
import re
import socket
from html import unescape

import pytest
from django.db import OperationalError, connections
from django.test import Client

from feedback.models import Submission
from feedback.tests.conftest import form_url

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = '<script>alert("x")</script> 反对 & “焚烧”'


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Outage:
    """Makes the database unreachable for this process's connection, and back.

    ``down()`` closes the connection and points it at a closed port: the next statement
    (of this request or the next) fails to connect, as during a database restart. (The
    connection's settings are the dict of ``settings.DATABASES``: a copy is kept.)
    """

    def __init__(self):
        self.connection = connections["default"]
        self.saved = dict(self.connection.settings_dict)

    def down(self) -> None:
        self.connection.close()
        self.connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))

    def up(self) -> None:
        self.connection.close()
        self.connection.settings_dict.clear()
        self.connection.settings_dict.update(self.saved)

    @contextlib.contextmanager
    def during(self):
        self.down()
        try:
            yield
        finally:
            self.up()


@pytest.fixture
def outage():
    outage = Outage()
    yield outage
    outage.up()


def _opinion(consultation, token: str) -> dict:
    single, multiple, scale, text = consultation.questions.order_by("sort_order")
    alternative = consultation.alternatives.order_by("sort_order").first()
    return {
        "token": token,
        "stance": "oppose",
        "comment": HOSTILE + "\n第二行",
        "clause_2": "第二条应当删除。",
        f"pref_{alternative.pk}": "not_acceptable",
        f"q_{single.pk}": "2",
        f"q_{multiple.pk}": ["1", "3"],
        f"q_{scale.pk}": "4",
        f"q_{text.pk}": "简短回答 <b>",
        "contact_phone": "13812345678",
    }


def _resend_form(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The action and the fields of the page's re-send form."""
    form = re.search(
        r'<form method="post" action="([^"]*)"[^>]*data-resend>(.*?)</form>', html, re.S
    )
    assert form, html[:3000]
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2))
    return unescape(form.group(1)), [(unescape(n), unescape(v)) for n, v in fields]


def _post_fields(client, action: str, fields: list[tuple[str, str]]):
    data: dict[str, list[str]] = {}
    for name, value in fields:
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value)
    return client.post(action, data)


def _assert_shows_text(html: str) -> None:
    assert "<script>alert" not in html  # escaped, never markup
    box = re.search(r'<textarea id="sent-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    text = unescape(box)
    for needle in (HOSTILE, "第二行", "第二条应当删除。", "简短回答 <b>", "13812345678", "反对"):
        assert needle in text, needle
    # The options by their labels, as the form showed them (this process knows the parts).
    assert "甲; 丙" in text and "4 / 5" in text and "不同意" in text


def test_outage_answers_503_in_chinese_with_the_text_then_a_resend_stores_once(
    client, index_page, open_consultation, outage
):
    token = "7d1b7c1e-1111-4111-8111-000000000001"
    client.get(form_url(open_consultation))  # this process now keeps the form's parts
    data = _opinion(open_consultation, token)
    with outage.during():
        response = client.post(form_url(open_consultation), data)
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert 'lang="zh-Hans"' in html
    assert "您的意见没有保存" in html and "没有保存" in html
    _assert_shows_text(html)
    assert Submission.objects.count() == 0

    action, fields = _resend_form(html)
    assert action == form_url(open_consultation)
    assert ("token", token) in fields
    first = _post_fields(client, action, fields)
    assert first.status_code == 302 and "sent" in first["Location"]
    again = _post_fields(client, action, fields)  # pressed twice
    assert again.status_code == 302 and "again" in again["Location"]
    stored = Submission.objects.get()
    assert HOSTILE in stored.comment
    assert stored.clause_comments.get().text == "第二条应当删除。"


def test_outage_page_is_english_for_an_english_reader(
    client, index_page, open_consultation, outage
):
    client.cookies["django_language"] = "en"
    data = _opinion(open_consultation, "7d1b7c1e-1111-4111-8111-000000000002")
    with outage.during():
        response = client.post(form_url(open_consultation), data)
    html = response.content.decode()
    assert response.status_code == 503 and 'lang="en"' in html
    assert "Your opinion has not been stored" in html
    assert "was NOT stored" in html
    assert "Send my opinion again" in html


def test_outage_through_wagtails_routing_too(
    client, index_page, open_consultation, monkeypatch, outage
):
    monkeypatch.setattr("cms.fast_route.FAST_ROUTE_ENABLED", False)
    data = _opinion(open_consultation, "7d1b7c1e-1111-4111-8111-000000000003")
    with outage.during():
        response = client.post(form_url(open_consultation), data)
    assert response.status_code == 503
    assert "您的意见没有保存" in response.content.decode()


def test_connection_lost_at_the_insert_nothing_stored_resend_stores_once(
    client, index_page, open_consultation, monkeypatch, outage
):
    """The database goes away between the routing query and the INSERT: the INSERT fails."""
    from feedback.intake import views

    original = views.submission_create

    def cut_then_insert(**kwargs):
        outage.down()
        return original(**kwargs)

    monkeypatch.setattr(views, "submission_create", cut_then_insert)
    token = "7d1b7c1e-1111-4111-8111-000000000004"
    response = client.post(form_url(open_consultation), _opinion(open_consultation, token))
    assert response.status_code == 503
    html = response.content.decode()
    assert "您的意见可能没有保存" in html  # the INSERT had started: cannot be confirmed
    _assert_shows_text(html)
    monkeypatch.undo()
    outage.up()
    assert Submission.objects.count() == 0
    action, fields = _resend_form(html)
    assert _post_fields(client, action, fields).status_code == 302
    assert Submission.objects.count() == 1


def test_connection_lost_after_the_commit_resend_never_duplicates(
    client, index_page, open_consultation, monkeypatch, outage
):
    """The worst case: the opinion was committed, then the connection died before the
    receipt. The page cannot know; it says so; the re-send finds the stored opinion."""
    from feedback.intake import views

    def commit_then_fail(request, page, submission, flag="", *, base=None):
        outage.down()
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "_to_receipt", commit_then_fail)
    token = "7d1b7c1e-1111-4111-8111-000000000005"
    response = client.post(form_url(open_consultation), _opinion(open_consultation, token))
    assert response.status_code == 503
    assert "您的意见可能没有保存" in response.content.decode()
    monkeypatch.undo()
    outage.up()
    assert Submission.objects.count() == 1  # it had been stored
    action, fields = _resend_form(response.content.decode())
    again = _post_fields(client, action, fields)
    assert again.status_code == 302 and "again" in again["Location"]
    assert Submission.objects.count() == 1


def test_receipt_lookup_and_pages_answer_503_not_500(client, index_page, open_consultation, outage):
    with outage.during():
        lookup = client.post("/consultations/receipt/", {"code": "ABCD-EFGH-JKMN"})
        page = client.get(f"/consultations/{open_consultation.slug}/")
        edit = client.post("/consultations/receipt/edit/", {"comment": "改后的意见"})
    assert lookup.status_code == 503 and lookup["Retry-After"]
    assert "您的请求没有执行" in lookup.content.decode()
    assert "ABCD-EFGH-JKMN" not in re.sub(
        r'<form method="post".*?</form>', "", lookup.content.decode(), flags=re.S
    )
    assert page.status_code == 503 and "网站暂时无法使用" in page.content.decode()
    assert edit.status_code == 503 and "改后的意见" in edit.content.decode()


def test_an_unexpected_error_shows_the_text_too(client, index_page, open_consultation, monkeypatch):
    from feedback.intake import views

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "submission_create", broken)
    quiet = Client(raise_request_exception=False)
    response = quiet.post(
        form_url(open_consultation),
        _opinion(open_consultation, "7d1b7c1e-1111-4111-8111-000000000006"),
    )
    assert response.status_code == 500
    html = response.content.decode()
    assert "网站出错了" in html
    _assert_shows_text(html)
    assert Submission.objects.count() == 0
