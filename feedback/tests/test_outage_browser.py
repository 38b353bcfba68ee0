"""Issue 13, point 6 in the system Chromium: the autosaved draft survives a 503 (the opinion
was not stored), the form opened again is filled in with the same idempotency token, and the
503 page's button sends the opinion once the database is back; only the receipt clears the
draft."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone

pytestmark = [pytest.mark.e2e]

DRAFT = "tingjian-draft:outage-lanes"
TEXT = "数据库停机时写的意见：请保留公交站。"
SHOTS = os.environ.get("OUTAGE_SCREENSHOTS", "")  # a folder: save screenshots for a person


@pytest.fixture
def site_with_consultation(consultation_index_transactional):
    from consultations.tests.factories import published_consultation

    now = timezone.now()
    return published_consultation(
        slug="outage-lanes", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )


def test_draft_survives_a_503_and_the_resend_stores_once(
    live_server, new_context, site_with_consultation, monkeypatch
):
    from feedback.intake import views
    from feedback.models import Submission

    def database_down(**kwargs):
        raise OperationalError("the database system is shutting down")

    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    url = f"{live_server.url}/consultations/outage-lanes/opinion/"
    page.goto(url)
    token = page.input_value("input[name=token]")
    page.check("input[name=stance][value=oppose]")
    page.fill("textarea[name=comment]", TEXT)
    page.wait_for_timeout(700)

    monkeypatch.setattr(views, "submission_create", database_down)
    page.click("button.tj-button[type=submit]")
    page.wait_for_selector("#not-stored")
    assert TEXT in page.input_value("#sent-text")
    assert TEXT in page.evaluate(f"window.localStorage.getItem('{DRAFT}')")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, "outage-503.png"), full_page=True)

    # Opened again while the database is still down: the draft, with the same token.
    page.goto(url)
    assert page.input_value("textarea[name=comment]") == TEXT
    assert page.input_value("input[name=token]") == token
    page.click("button.tj-button[type=submit]")
    page.wait_for_selector("#not-stored")

    monkeypatch.undo()  # the database is back
    page.click("[data-resend] button[type=submit]")
    page.wait_for_url("**/receipt/**")
    assert page.evaluate(f"window.localStorage.getItem('{DRAFT}')") is None
    assert Submission.objects.filter(idempotency_token=token).count() == 1
    assert Submission.objects.count() == 1
