"""Receipt codes, the receipt page, edit and withdraw until closing (all on code-free URLs;
the adversaries of issue 12 are in test_receipt_trail.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from feedback.intake.selectors import submission_counts
from feedback.models import Contact, Submission
from feedback.models.receipts import format_receipt, new_receipt, normalise_receipt
from feedback.tests._receipt import LOOKUP, open_receipt, receipt_from_redirect
from feedback.tests.conftest import form_url, fresh_token


def test_receipt_codes_have_60_bits_and_read_back_forgivingly():
    code = new_receipt()
    assert len(code) == 12 and not set(code) & set("ILOU")
    shown = format_receipt(code)
    assert len(shown) == 14 and shown.count("-") == 2
    assert normalise_receipt(shown.lower()) == code
    assert normalise_receipt(" 7kq4 m2xd-9pta ") == "7KQ4M2XD9PTA"
    assert normalise_receipt("OIL0-0000-0000") == "0110" + "0" * 8
    assert normalise_receipt("too-short") is None
    assert len({new_receipt() for _ in range(1000)}) == 1000


pytestmark_db = pytest.mark.django_db


def _send(client, consultation, **data):
    payload = {"token": fresh_token(client, consultation), **data}
    return receipt_from_redirect(client.post(form_url(consultation), payload))


@pytestmark_db
def test_lookup_normalises_the_typed_code(client, index_page, open_consultation):
    code = _send(client, open_consultation, stance="support")
    client.post(f"{LOOKUP}close/")
    response = open_receipt(client, code.lower().replace("-", " "))
    assert response.status_code == 303
    assert response["Location"] == LOOKUP
    assert code in client.get(LOOKUP).content.decode()


@pytestmark_db
def test_unknown_code_is_a_clear_404(client, index_page, open_consultation):
    response = open_receipt(client, "0000-0000-0000")
    assert response.status_code == 404
    assert "No opinion was found" in response.content.decode() or "没有找到" in (
        response.content.decode()
    )
    assert client.get("/consultations/receipt/0000-0000-0000/").status_code == 404


@pytestmark_db
def test_receipt_page_never_shows_contact(client, index_page, open_consultation):
    _send(
        client,
        open_consultation,
        comment="请回复我",
        contact_email="resident@example.org",
        contact_phone="138 1234 5678",
    )
    html = client.get(LOOKUP).content.decode()
    assert "请回复我" in html
    assert "resident@example.org" not in html and "13812345678" not in html
    assert "5678" not in html


@pytestmark_db
def test_edit_replaces_the_opinion_until_closing(client, index_page, open_consultation):
    code = _send(client, open_consultation, stance="support", comment="旧意见", clause_1="旧")
    url = f"{LOOKUP}edit/"
    page = client.get(url).content.decode()
    assert "旧意见" in page
    response = client.post(url, {"stance": "oppose", "comment": "新意见"})
    assert response.status_code == 303 and response["Location"] == f"{LOOKUP}?updated=1"
    submission = Submission.objects.get()
    assert (submission.stance, submission.comment) == ("oppose", "新意见")
    assert submission.clause_comments.count() == 0
    with time_machine.travel(open_consultation.closes_at, tick=False):
        open_receipt(client, code)  # (the session of half an hour ago has ended)
        late = client.post(url, {"stance": "support"})
    assert late.status_code == 403
    submission.refresh_from_db()
    assert submission.stance == "oppose"


@pytestmark_db
def test_withdraw_is_recorded_counted_and_deletes_contact(client, index_page, open_consultation):
    code = _send(client, open_consultation, stance="oppose", contact_email="a@example.org")
    _send(client, open_consultation, stance="support")
    assert Contact.objects.count() == 1
    open_receipt(client, code)  # the first opinion again (the second one's session replaced it)
    url = f"{LOOKUP}withdraw/"
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 303 and response["Location"] == f"{LOOKUP}?withdrawn=1"
    withdrawn = Submission.objects.get(withdrawn=True)
    assert withdrawn.withdrawn_at is not None and withdrawn.stance == "oppose"
    assert Contact.objects.count() == 0
    assert submission_counts(open_consultation) == {
        "received": 2,
        "withdrawn": 1,
        "exact_duplicates": 0,
    }
    # A withdrawn opinion cannot be changed any more.
    edit = client.post(f"{LOOKUP}edit/", {"stance": "support"})
    assert edit.status_code == 403
    assert f'href="{LOOKUP}edit/"' not in client.get(LOOKUP).content.decode()


@pytestmark_db
def test_withdraw_after_close_changes_nothing(client, index_page, open_consultation):
    code = _send(client, open_consultation, stance="oppose")
    with time_machine.travel(open_consultation.closes_at + timedelta(seconds=1), tick=False):
        assert open_receipt(client, code).status_code == 303
        response = client.post(f"{LOOKUP}withdraw/")
    assert response.status_code == 303 and response["Location"] == LOOKUP
    assert not Submission.objects.get().withdrawn


def test_receipt_urls_from_the_cached_route_equal_wagtails(index_page):
    from feedback.web import _subpath

    for code in ("ABCD-EFGH-JKMN", "0000-1111-2222", "abc def?"):
        expected = index_page.reverse_subpage("receipt_old_link", kwargs={"code": code})
        assert _subpath(index_page, "receipt_old_link", {"code": code}) == expected
    slug = {"slug": "waste-plant"}
    assert _subpath(index_page, "opinion_form", slug) == index_page.reverse_subpage(
        "opinion_form", kwargs=slug
    )
