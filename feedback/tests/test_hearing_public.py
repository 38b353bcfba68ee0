"""Registering for a hearing without an account (R31): the notice that the participant list is
published by law, four fields only, the contact stored apart and encrypted, a registration
number as the receipt, bad input and a closed registration store nothing, a rate limit."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.hearings import services
from feedback.models import Contact, HearingRegistration
from feedback.tests import _hearing as h

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def open_hearing(consultation_index):
    c = h.consultation()
    editor = h.editor_of(c)
    now = timezone.now()
    t = h.timeline(now=now - timedelta(days=1))
    hearing = h.hearing_for(c, editor, t)
    services.notice_publish(user=editor, hearing=hearing, now=t.notice)
    return c, hearing


def _url(c, tail=""):
    return f"/consultations/{c.slug}/hearing/{tail}"


def _post(client, c, **overrides):
    data = {
        "token": str(uuid.uuid4()),
        "name": "李四",
        "category": "affected",
        "statement": "我家在拆迁范围内，希望说明安置方案。",
        "contact_phone": "138 0013 8000",
        "contact_email": "",
    }
    data.update(overrides)
    return client.post(_url(c, "register/"), data, **EN), data


def test_form_shows_the_legal_notice_and_asks_only_four_things(client, open_hearing):
    c, _hearing = open_hearing
    page = client.get(_url(c, "register/"), **EN)
    body = page.content.decode()
    assert page.status_code == 200
    assert "The list of hearing participants is published by law." in body
    form = body[body.index('class="tj-opinion-form"') :]
    form = form[: form.index("</form>")]
    names = set(re.findall(r'<(?:input|textarea|select)[^>]*name="([^"]+)"', form))
    assert names == {
        "csrfmiddlewaretoken",
        "token",
        "name",
        "category",
        "statement",
        "contact_phone",
        "contact_email",
    }
    required = set(re.findall(r'<(?:input|textarea)[^>]*name="([^"]+)"[^>]*required', form))
    assert required <= {"name", "category", "statement"}


def test_registration_gives_a_number_and_stores_the_contact_apart_encrypted(client, open_hearing):
    c, hearing = open_hearing
    response, data = _post(client, c)
    assert response.status_code == 200
    registration = HearingRegistration.objects.get()
    shown = re.search(r'id="registration-number">([^<]+)<', response.content.decode()).group(1)
    assert shown.replace("-", "") == registration.number
    contact = Contact.objects.get(ref=registration.contact_ref)
    assert "13800138000" not in contact.ciphertext
    assert not any(
        "13800138000" in str(v) for v in HearingRegistration.objects.values().get().values()
    )
    # The same form sent again: the same registration, not a second one.
    again, _data = _post(client, c, token=data["token"])
    assert again.status_code == 200 and HearingRegistration.objects.count() == 1
    assert "it was not stored twice" in again.content.decode()


@pytest.mark.parametrize(
    "overrides",
    [
        {"name": "   "},
        {"statement": ""},
        {"statement": "长" * 501},
        {"contact_phone": "", "contact_email": ""},
        {"contact_phone": "12345"},
        {"category": "nonsense"},
    ],
)
def test_bad_input_is_refused_with_a_message_and_stores_nothing(client, open_hearing, overrides):
    c, _hearing = open_hearing
    response, _data = _post(client, c, **overrides)
    assert response.status_code == 400
    assert 'id="error-summary"' in response.content.decode()
    assert HearingRegistration.objects.count() == 0 and Contact.objects.count() == 0


def test_closed_registration_is_refused_and_stores_nothing(client, open_hearing):
    c, hearing = open_hearing
    type(hearing).objects.filter(pk=hearing.pk).update(
        registration_closes_at=timezone.now() - timedelta(minutes=1)
    )
    response, _data = _post(client, c)
    assert response.status_code == 403
    assert "Registration for this hearing is closed" in response.content.decode()
    assert HearingRegistration.objects.count() == 0


def test_registration_is_rate_limited_like_the_opinion_form(client, open_hearing, settings):
    settings.RATELIMIT_SUBMIT_PER_ADDRESS = (2, 600)
    c, _hearing = open_hearing
    assert _post(client, c)[0].status_code == 200
    assert _post(client, c)[0].status_code == 200
    limited, _data = _post(client, c)
    assert limited.status_code == 429 and limited["Retry-After"]
    assert HearingRegistration.objects.count() == 2


def test_unpublished_notice_is_not_public(client, consultation_index):
    c = h.consultation()
    h.hearing_for(c, h.editor_of(c), h.timeline())
    assert client.get(_url(c)).status_code == 404
    assert client.get(_url(c, "register/")).status_code == 404


def test_public_page_shows_the_participant_list_only_once_published(client, consultation_index):
    c = h.consultation()
    editor = h.editor_of(c)
    hearing, t = h.through_draw(c, editor)
    body = client.get(_url(c), **EN).content.decode()
    assert "notice-rule" in body and 'id="participants"' not in body
    names = list(hearing.participants.values_list("name", flat=True))
    services.participants_publish(user=editor, hearing=hearing, now=t.closes + timedelta(days=1))
    body = client.get(_url(c), **EN).content.decode()
    assert 'id="participants"' in body and all(n in body for n in names)
    not_selected = hearing.registrations.filter(selected=False).values_list("name", flat=True)
    assert not any(f"{n} (" in body for n in not_selected)


def test_consultation_page_links_to_the_hearing_once_the_notice_is_out(client, consultation_index):
    c = h.consultation()
    editor = h.editor_of(c)
    t = h.timeline()
    hearing = h.hearing_for(c, editor, t)
    page = f"/consultations/{c.slug}/"
    assert 'id="hearing-link"' not in client.get(page).content.decode()  # cached now
    services.notice_publish(user=editor, hearing=hearing, now=t.notice)
    body = client.get(page).content.decode()
    assert 'id="hearing-link"' in body and f"/consultations/{c.slug}/hearing/" in body
