"""The public opinion form without JavaScript: plain POST, validation, hostile input."""

from __future__ import annotations

import pytest

from feedback.models import QuestionAnswer, Submission
from feedback.tests._receipt import receipt_from_redirect
from feedback.tests.conftest import form_url, fresh_token

pytestmark = pytest.mark.django_db


def post(client, consultation, **data):
    payload = {"token": fresh_token(client, consultation), **data}
    return client.post(form_url(consultation), payload)


def test_form_renders_every_part_with_clause_anchors(client, index_page, open_consultation):
    response = client.get(form_url(open_consultation))
    html = response.content.decode()
    assert response.status_code == 200
    for needle in (
        'name="stance"',
        'name="comment"',
        'name="affected_status"',
        'name="contact_email"',
        'name="contact_phone"',
        'name="quote_consent"',
        'id="clause-1"',
        'id="clause-2"',
        "/privacy/",
    ):
        assert needle in html
    assert html.count('name="pref_') >= 2 * 3  # three choices for each of two alternatives


def test_anonymous_plain_post_is_stored_and_redirects_to_receipt(
    client, index_page, open_consultation
):
    single, multiple, scale, text = open_consultation.questions.order_by("sort_order")
    alt = open_consultation.alternatives.order_by("sort_order").first()
    response = post(
        client,
        open_consultation,
        stance="conditional",
        comment="希望增加公交线路。",
        affected_status="live",
        **{
            f"pref_{alt.pk}": "prefer",
            f"q_{single.pk}": "2",
            f"q_{multiple.pk}": ["1", "3"],
            f"q_{scale.pk}": "4",
            f"q_{text.pk}": "简短回答",
            "clause_2": "第二条应当修改。",
        },
    )
    code = receipt_from_redirect(response)
    submission = Submission.objects.get()
    assert submission.formatted_receipt == code
    assert submission.channel == Submission.Channel.WEB
    assert submission.stance == "conditional"
    assert submission.contact_ref == ""
    answers = {a.question_id: a for a in QuestionAnswer.objects.all()}
    assert answers[single.pk].options == [2]
    assert answers[multiple.pk].options == [1, 3]
    assert answers[scale.pk].scale == 4
    assert answers[text.pk].text == "简短回答"
    assert submission.clause_comments.get().clause.number == 2
    assert submission.alternative_preferences.get().preference == "prefer"

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert code in html
    assert "希望增加公交线路。" in html
    assert "不同意" in html  # the answer is shown by its label


def test_empty_opinion_is_refused_with_summary_and_nothing_stored(
    client, index_page, open_consultation
):
    response = post(client, open_consultation, comment="   \n\t  ", affected_status="live")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="error-summary"' in html
    assert 'href="#field-stance"' in html
    assert 'value="live" ' in html and "checked" in html  # the typed choice is kept
    assert Submission.objects.count() == 0


def test_script_tag_is_stored_as_typed_and_shown_escaped(client, index_page, open_consultation):
    response = post(client, open_consultation, comment="<script>alert(1)</script>")
    page = client.get(response["Location"])
    assert Submission.objects.get().comment == "<script>alert(1)</script>"
    html = page.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_comment_of_5001_characters_is_refused_and_kept(client, index_page, open_consultation):
    response = post(client, open_consultation, comment="意" * 5001)
    assert response.status_code == 400
    html = response.content.decode()
    assert "5001" in html and 'href="#field-comment"' in html
    assert "意" * 5001 in html
    assert Submission.objects.count() == 0


def test_comment_of_5000_characters_is_accepted(client, index_page, open_consultation):
    receipt_from_redirect(post(client, open_consultation, comment="意" * 5000))
    assert len(Submission.objects.get().comment) == 5000


def test_nul_byte_is_removed_not_a_server_error(client, index_page, open_consultation):
    # Issue 14: control characters other than tab and newline are removed from stored text.
    receipt_from_redirect(post(client, open_consultation, comment="abc\x00def", clause_1="x\x00"))
    submission = Submission.objects.get()
    assert submission.comment == "abcdef"
    assert submission.clause_comments.get().text == "x"


def test_right_to_left_override_is_removed(client, index_page, open_consultation):
    receipt_from_redirect(post(client, open_consultation, comment="abc\u202edcba\u202c end"))
    assert Submission.objects.get().comment == "abcdcba end"


def test_invalid_contact_is_refused_beside_the_field(client, index_page, open_consultation):
    response = post(
        client,
        open_consultation,
        stance="oppose",
        contact_email="not-an-email",
        contact_phone="123",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#field-contact_email"' in html and 'href="#field-contact_phone"' in html
    assert "id_contact_phone-errors" in html
    assert Submission.objects.count() == 0


def test_exact_duplicates_are_accepted_and_marked(client, index_page, open_consultation):
    receipt_from_redirect(post(client, open_consultation, comment="反对 建设"))
    receipt_from_redirect(post(client, open_consultation, comment="  反对   建设 "))
    first, second = Submission.objects.order_by("pk")
    assert first.text_hash == second.text_hash != ""
    assert (first.is_exact_duplicate, second.is_exact_duplicate) == (False, True)


def test_oversized_body_is_refused_with_413(client, index_page, open_consultation):
    token = fresh_token(client, open_consultation)
    response = client.post(
        form_url(open_consultation), {"token": token, "comment": "x" * 5000, "junk": "y" * 900_000}
    )
    assert response.status_code == 413
    assert Submission.objects.count() == 0


def test_english_form_is_translated_by_language_cookie(client, index_page, open_consultation):
    client.cookies["django_language"] = "en"
    html = client.get(form_url(open_consultation)).content.decode()
    assert "Send my opinion" in html
