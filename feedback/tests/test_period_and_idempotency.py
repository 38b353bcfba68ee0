"""The period is enforced to the second; a retried form returns the same receipt."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from consultations.tests.factories import published_consultation
from feedback.intake.services import NotAcceptingOpinions, OpinionData, submission_create
from feedback.models import Submission
from feedback.tests._receipt import receipt_from_redirect
from feedback.tests.conftest import ensure_clauses, form_url, fresh_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def closing_consultation(db):
    now = timezone.now().replace(microsecond=0)
    consultation = published_consultation(
        opens_at=now - timedelta(days=40), closes_at=now + timedelta(hours=1)
    )
    ensure_clauses(consultation)
    return consultation


def test_opinion_sent_one_second_before_close_is_stored(client, index_page, closing_consultation):
    token = fresh_token(client, closing_consultation)
    with time_machine.travel(closing_consultation.closes_at - timedelta(seconds=1), tick=False):
        response = client.post(form_url(closing_consultation), {"token": token, "stance": "oppose"})
    receipt_from_redirect(response)
    assert Submission.objects.count() == 1


def test_form_opened_before_close_and_sent_at_close_stores_nothing(
    client, index_page, closing_consultation
):
    token = fresh_token(client, closing_consultation)
    with time_machine.travel(closing_consultation.closes_at, tick=False):
        response = client.post(
            form_url(closing_consultation),
            {"token": token, "stance": "oppose", "comment": "晚到的意见"},
        )
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="refused"' in html
    assert "晚到的意见" in html  # kept so the resident can copy it
    assert '<button type="submit" class="tj-button">' not in html
    assert Submission.objects.count() == 0


def test_sent_one_second_after_close_is_refused(client, index_page, closing_consultation):
    token = fresh_token(client, closing_consultation)
    with time_machine.travel(closing_consultation.closes_at + timedelta(seconds=1), tick=False):
        response = client.post(
            form_url(closing_consultation), {"token": token, "stance": "support"}
        )
        page = client.get(form_url(closing_consultation))
    assert response.status_code == 403
    assert 'name="token"' not in page.content.decode()  # a closed consultation shows no form
    assert Submission.objects.count() == 0


def test_upcoming_consultation_accepts_nothing(index_page):
    now = timezone.now()
    consultation = published_consultation(
        opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=50)
    )
    with pytest.raises(NotAcceptingOpinions):
        submission_create(
            consultation=consultation, data=OpinionData(stance="support"), token=uuid.uuid4()
        )
    assert Submission.objects.count() == 0


def test_double_post_returns_the_same_receipt_and_one_row(client, index_page, closing_consultation):
    token = fresh_token(client, closing_consultation)
    data = {"token": token, "stance": "support", "comment": "同一份意见"}
    first = receipt_from_redirect(client.post(form_url(closing_consultation), data))
    retry = client.post(form_url(closing_consultation), data)
    assert receipt_from_redirect(retry) == first
    assert Submission.objects.count() == 1
    client.cookies["django_language"] = "en"
    assert "stored only once" in client.get(retry["Location"]).content.decode()


def test_retry_after_close_of_a_stored_form_still_returns_its_receipt(
    client, index_page, closing_consultation
):
    token = fresh_token(client, closing_consultation)
    data = {"token": token, "stance": "support"}
    first = receipt_from_redirect(client.post(form_url(closing_consultation), data))
    with time_machine.travel(closing_consultation.closes_at + timedelta(minutes=5), tick=False):
        again = receipt_from_redirect(client.post(form_url(closing_consultation), data))
    assert first == again


def test_service_is_idempotent_by_token_and_db_enforces_uniqueness(closing_consultation):
    token = uuid.uuid4()
    data = OpinionData(comment="一次")
    one, created_one = submission_create(consultation=closing_consultation, data=data, token=token)
    two, created_two = submission_create(consultation=closing_consultation, data=data, token=token)
    assert (created_one, created_two) == (True, False)
    assert one.pk == two.pk
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            consultation=closing_consultation, receipt="0000AAAA1111", idempotency_token=token
        )


def test_missing_token_is_a_clear_error(client, index_page, closing_consultation):
    response = client.post(form_url(closing_consultation), {"stance": "support"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#field-token"' in html
    assert re.search(r'name="token" value="[0-9a-f-]{36}"', html)  # sending again works
    assert Submission.objects.count() == 0


def test_upcoming_consultation_shows_a_notice_instead_of_the_form(client, index_page):
    now = timezone.now()
    consultation = published_consultation(
        opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=50)
    )
    client.cookies["django_language"] = "en"
    response = client.get(form_url(consultation))
    html = response.content.decode()
    assert response.status_code == 200
    assert "The form will be available then." in html and 'name="token"' not in html
    token = str(uuid.uuid4())
    refused = client.post(form_url(consultation), {"token": token, "stance": "support"})
    assert refused.status_code == 403
    assert Submission.objects.count() == 0


def test_after_close_the_closed_message_comes_before_form_errors(
    client, index_page, closing_consultation
):
    token = fresh_token(client, closing_consultation)
    with time_machine.travel(closing_consultation.closes_at + timedelta(hours=1), tick=False):
        response = client.post(form_url(closing_consultation), {"token": token, "comment": " "})
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="refused"' in html and 'id="error-summary"' not in html
