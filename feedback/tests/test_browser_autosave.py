"""The opinion form in the system Chromium at 360 px: layout, autosave, receipt clears draft."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def browser_page(new_context):
    """A 360 px wide phone-sized page in the shared system Chromium (root conftest.py)."""
    return new_context(viewport={"width": 360, "height": 740}).new_page()


@pytest.fixture
def site_with_consultation(consultation_index_transactional):
    from consultations.tests.factories import AlternativeFactory, published_consultation
    from feedback.tests.conftest import ensure_clauses

    now = timezone.now()
    consultation = published_consultation(
        slug="bus-lanes", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )
    AlternativeFactory(consultation=consultation, title="方案甲")
    ensure_clauses(consultation, 3)
    return consultation


def test_draft_survives_reload_and_is_cleared_by_the_receipt(
    live_server, browser_page, site_with_consultation
):
    page = browser_page
    url = f"{live_server.url}/consultations/bus-lanes/opinion/"
    page.goto(url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.check("input[name=stance][value=oppose]")
    page.fill("textarea[name=comment]", "公交专用道会让小区出行更难。")
    page.wait_for_timeout(700)
    page.reload()
    assert page.input_value("textarea[name=comment]") == "公交专用道会让小区出行更难。"
    assert page.is_checked("input[name=stance][value=oppose]")

    page.click("button.tj-button[type=submit]")
    page.wait_for_url("**/receipt/**")
    code = page.text_content("#receipt-code").strip()
    assert len(code) == 14
    # The code fits on one line at 360 px, so it can be read and copied in one piece.
    box = page.locator("#receipt-code").bounding_box()
    assert box["height"] < 60 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate("window.localStorage.getItem('tingjian-draft:bus-lanes')") is None

    page.goto(url)
    assert page.input_value("textarea[name=comment]") == ""
    # The clause link from the consultation page lands on the clause's comment box.
    page.goto(url + "#clause-2")
    assert page.is_visible("#clause-2 textarea")
    assert not page.is_visible("#clause-1 textarea")
