"""Receipt codes, the receipt page, edit and withdraw until closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from feedback.intake.selectors import submission_counts
from feedback.models import Contact, Submission
from feedback.models.receipts import format_receipt, new_receipt, normalise_receipt
from feedback.tests.conftest import form_url, fresh_token, receipt_from_redirect


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
    response = client.get("/consultations/receipt/", {"code": code.lower().replace("-", " ")})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/receipt/{code}/")


@pytestmark_db
def test_unknown_code_is_a_clear_404(client, index_page, open_consultation):
    response = client.get("/consultations/receipt/", {"code": "0000-0000-0000"})
    assert response.status_code == 404
    assert client.get("/consultations/receipt/0000-0000-0000/").status_code == 404


@pytestmark_db
def test_receipt_page_never_shows_contact(client, index_page, open_consultation):
    code = _send(
        client,
        open_consultation,
        comment="请回复我",
        contact_email="resident@example.org",
        contact_phone="138 1234 5678",
    )
    html = client.get(f"/consultations/receipt/{code}/").content.decode()
    assert "请回复我" in html
    assert "resident@example.org" not in html and "13812345678" not in html
    assert "5678" not in html


@pytestmark_db
def test_edit_replaces_the_opinion_until_closing(client, index_page, open_consultation):
    code = _send(client, open_consultation, stance="support", comment="旧意见", clause_1="旧")
    url = f"/consultations/receipt/{code}/edit/"
    page = client.get(url).content.decode()
    assert "旧意见" in page
    response = client.post(url, {"stance": "oppose", "comment": "新意见"})
    assert response.status_code == 302 and "updated=1" in response["Location"]
    submission = Submission.objects.get()
    assert (submission.stance, submission.comment) == ("oppose", "新意见")
    assert submission.clause_comments.count() == 0
    with time_machine.travel(open_consultation.closes_at, tick=False):
        late = client.post(url, {"stance": "support"})
    assert late.status_code == 403
    submission.refresh_from_db()
    assert submission.stance == "oppose"


@pytestmark_db
def test_withdraw_is_recorded_counted_and_deletes_contact(client, index_page, open_consultation):
    code = _send(client, open_consultation, stance="oppose", contact_email="a@example.org")
    _send(client, open_consultation, stance="support")
    assert Contact.objects.count() == 1
    url = f"/consultations/receipt/{code}/withdraw/"
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302 and "withdrawn=1" in response["Location"]
    withdrawn = Submission.objects.get(withdrawn=True)
    assert withdrawn.withdrawn_at is not None and withdrawn.stance == "oppose"
    assert Contact.objects.count() == 0
    assert submission_counts(open_consultation) == {
        "received": 2,
        "withdrawn": 1,
        "exact_duplicates": 0,
    }
    # A withdrawn opinion cannot be changed any more.
    edit = client.post(f"/consultations/receipt/{code}/edit/", {"stance": "support"})
    assert edit.status_code == 403
    assert (
        'href="' + f"/consultations/receipt/{code}/edit/"
        not in client.get(f"/consultations/receipt/{code}/").content.decode()
    )


@pytestmark_db
def test_withdraw_after_close_changes_nothing(client, index_page, open_consultation):
    code = _send(client, open_consultation, stance="oppose")
    with time_machine.travel(open_consultation.closes_at + timedelta(seconds=1), tick=False):
        client.post(f"/consultations/receipt/{code}/withdraw/")
    assert not Submission.objects.get().withdrawn


def test_receipt_urls_from_the_cached_route_equal_wagtails(index_page):
    from feedback.web import _subpath

    for code in ("ABCD-EFGH-JKMN", "0000-1111-2222", "abc def?"):
        expected = index_page.reverse_subpage("receipt_detail", kwargs={"code": code})
        assert _subpath(index_page, "receipt_detail", {"code": code}) == expected
    slug = {"slug": "waste-plant"}
    assert _subpath(index_page, "opinion_form", slug) == index_page.reverse_subpage(
        "opinion_form", kwargs=slug
    )
