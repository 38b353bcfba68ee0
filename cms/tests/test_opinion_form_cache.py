"""The empty opinion form, rendered once per consultation version and filled in per request
(cms.opinion_form_cache.cached_form_response, docs/adr/0008-opinion-form-cache.md).

The cached page must be the page a full render gives, with its own CSRF token, idempotency
token and path for every request, and never outlive a change of the consultation.
"""

import re
from datetime import timedelta

import pytest

from consultations.models import Consultation
from feedback.models import Submission
from feedback.tests._receipt import receipt_from_redirect

from ._pages import as_reader, blank_tokens, reader_variants

pytestmark = pytest.mark.django_db

FORM = "/consultations/waste-plant/opinion/"
TOKENS = re.compile(r'name="(csrfmiddlewaretoken|token)" value="([^"]*)"')


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def tokens(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in TOKENS.findall(html):
        found.setdefault(name, []).append(value)
    return found


def edit(consultation, **fields):
    obj = Consultation.objects.get(pk=consultation.pk)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save_revision().publish(skip_permission_checks=True)


def test_cached_form_costs_one_query(open_consultation, client, django_assert_max_num_queries):
    first = html_of(client.get(FORM))
    with django_assert_max_num_queries(1):
        again = html_of(client.get(FORM))
    assert blank_tokens(again) == blank_tokens(first)
    assert 'name="stance"' in again


@reader_variants
def test_cached_form_is_the_full_render(
    open_consultation, client, wagtail_routing, language, query, cookies
):
    as_reader(client, language, cookies)
    client.get(FORM + query)  # renders and keeps the page
    cached = client.get(FORM + query)
    wagtail_routing()  # Wagtail's routing, the view's own full render
    full = client.get(FORM + query)
    assert blank_tokens(html_of(cached)) == blank_tokens(html_of(full))
    for header in ("Content-Type", "Content-Security-Policy", "Cache-Control", "Vary"):
        assert cached[header] == full[header], header
    assert cached["Expires"]
    if query:  # the language and preference forms send the reader back, escaped
        html = html_of(cached)
        assert html.count(f'name="next" value="{FORM}?next=') == 2
        assert "<b>" not in html


def test_every_form_gets_its_own_tokens_and_each_one_stores_once(open_consultation, client):
    client.handler.enforce_csrf_checks = True
    first = tokens(html_of(client.get(FORM)))
    second = tokens(html_of(client.get(FORM)))
    assert len(first["token"]) == len(second["token"]) == 1
    assert first["token"] != second["token"]
    assert len(second["csrfmiddlewaretoken"]) == 3  # the opinion, language and text-size forms
    assert set(first["csrfmiddlewaretoken"]).isdisjoint(second["csrfmiddlewaretoken"])
    receipts = set()
    for form in (second, first, second):
        response = client.post(
            FORM,
            {
                "csrfmiddlewaretoken": form["csrfmiddlewaretoken"][0],
                "token": form["token"][0],
                "stance": "oppose",
                "comment": "离学校太近。",
            },
        )
        assert response.status_code == 302, response.content[:500]
        receipts.add(receipt_from_redirect(response))
    assert len(receipts) == 2  # the third POST was the second form again: the same receipt
    tokens_sent = {first["token"][0], second["token"][0]}
    stored = Submission.objects.filter(consultation=open_consultation)
    assert {str(t) for t in stored.values_list("idempotency_token", flat=True)} == tokens_sent


def test_edit_of_the_consultation_shows_at_once(open_consultation, client, english):
    """The clock is frozen: the row version, not ``updated_at``, tells the change."""
    assert "Waste-to-energy plant siting plan" in html_of(english.get(FORM))
    edit(open_consultation, title_en="Siting plan, revised", change_note="English title.")
    html = html_of(english.get(FORM))
    assert "Siting plan, revised" in html
    assert "Waste-to-energy plant siting plan" not in html


def test_extension_shows_the_new_closing_time(open_consultation, english, publisher):
    from consultations import services

    assert "Closes at 24:00 on Thursday, 16 April 2026" in html_of(english.get(FORM))
    closes = open_consultation.closes_at + timedelta(days=10)
    services.consultation_extend(
        consultation=open_consultation, closes_at=closes, reason="More time.", user=publisher
    )
    assert "Closes at 24:00 on Sunday, 26 April 2026" in html_of(english.get(FORM))


def test_after_the_close_the_form_is_not_served(open_consultation, english, time_machine):
    assert 'name="stance"' in html_of(english.get(FORM))
    time_machine.move_to(open_consultation.closes_at, tick=False)
    html = html_of(english.get(FORM))
    assert 'name="stance"' not in html
    assert "Closed at 24:00 on Thursday, 16 April 2026 (Beijing time)" in html


def test_unpublished_consultation_is_gone_at_once(open_consultation, client):
    from consultations.tests.two_person import withdraw

    html_of(client.get(FORM))
    withdraw(open_consultation)  # issue 13: two people take it offline
    # The cached form is gone at once; the address says the consultation was withdrawn.
    gone = client.get(FORM)
    assert gone.status_code == 410 and 'name="token"' not in gone.content.decode()


def test_waiting_messages_are_shown_by_a_full_render(open_consultation, client):
    html_of(client.get(FORM))
    response = client.post("/i18n/setlang/", {"language": "en", "next": FORM}, follow=True)
    html = html_of(response)
    assert "Switched to English" in html
    assert 'name="stance"' in html
    assert "Switched to English" not in html_of(client.get(FORM))


def test_the_page_holds_nothing_of_another_request(open_consultation, client):
    """Slots are filled from this request only: the path a first visitor used is not kept."""
    html_of(client.get(FORM + "?from=first-visitor"))
    html = html_of(client.get(FORM))
    assert "first-visitor" not in html
    assert f'name="next" value="{FORM}"' in html
