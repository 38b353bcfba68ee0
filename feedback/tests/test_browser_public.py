"""Residents' issue-4 pages in the system Chromium at 360 px, with and without JavaScript.

The public opinions page (display on, pre-moderation, three approved opinions, a phone number in
one of them masked), the published response, a receipt showing its theme and answer, and the
methodology page: key content present, no horizontal scrolling, no serious or critical axe-core
violation. One data set serves both runs (each live-server test costs a database flush).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.utils import translation

from feedback.tests._browser import (
    PHONE_WIDTH,
    background_grouping_off,
    horizontal_overflow,
    serious_violations,
    use_contact_key,
)

pytestmark = [pytest.mark.e2e]

PHONE_IN_TEXT = "13912345678"
MASKED_COMMENT = f"我反对选址，请打电话{PHONE_IN_TEXT}找我。"
REASON = "补偿标准由省级文件规定，本方案不作调整。"


@dataclass
class Public:
    slug: str
    shown: list[str]  # pseudonyms of the approved opinions
    pending: str  # pseudonym of an opinion that agreed to be quoted but was not approved
    masked: str  # the masked text of the opinion with a phone number, as residents see it
    receipt: str  # receipt of an opinion coded under both themes


@pytest.fixture
def public(consultation_index_transactional, settings) -> Public:
    from consultations.roles import Role
    from consultations.tests.factories import UserFactory
    from feedback.models import Coding, DisplayMode, Submission
    from feedback.privacy import pseudonyms
    from feedback.privacy.masking import mask_text
    from feedback.review import moderation
    from feedback.tests._analysis_data import make_submission
    from feedback.tests.response_fixtures import build_world, publish_response
    from feedback.tests.test_response import answer_all

    use_contact_key(settings)
    with background_grouping_off():
        world = build_world()
        consultation = world.consultation
        health, _money = world.themes
        with_phone = make_submission(
            consultation,
            channel="web",
            stance="oppose",
            affected_status="live",
            comment=MASKED_COMMENT,
        )
    Coding.objects.create(submission=with_phone, theme=health, coded_by=world.editor)
    answer_all(world)
    publish_response(
        world,
        summary="感谢各位居民参与。根据意见，修改了第1条。",
        draft_from=world.v1,
        draft_to=world.v2,
    )
    quotable = [world.subs[0], world.subs[3], with_phone, world.subs[2]]
    Submission.objects.filter(pk__in=[s.pk for s in quotable]).update(quote_consent=True)
    admin = UserFactory.with_role(Role.SITE_ADMIN)
    moderation.display_settings_update(admin, consultation, True, DisplayMode.PRE)
    for submission in quotable[:3]:
        submission.refresh_from_db()
        moderation.moderate(world.editor, submission, "shown", "内容合规")
    with translation.override("zh-hans"):
        masked = mask_text(MASKED_COMMENT)
    assert PHONE_IN_TEXT not in masked
    return Public(
        slug=consultation.slug,
        shown=[pseudonyms.pseudonym_code(s.pk) for s in quotable[:3]],
        pending=pseudonyms.pseudonym_code(quotable[3].pk),
        masked=masked,
        receipt=world.subs[1].formatted_receipt,
    )


def check_pages(page, data: Public, *, run_axe: bool) -> None:
    """Visit the four pages, checking content, width and (with JavaScript) accessibility."""
    problems = []

    def visit(url: str) -> None:
        response = page.goto(url)
        assert response.status == 200, url
        assert horizontal_overflow(page) <= 0, (url, horizontal_overflow(page))
        if run_axe:
            problems.extend(f"{url}: {v}" for v in serious_violations(page))

    visit(f"/consultations/{data.slug}/opinions/")
    assert page.locator("h1").inner_text() == "公开展示的意见"
    items = page.locator("ol.tj-public-opinions > li")
    assert items.count() == 3
    text = page.locator("ol.tj-public-opinions").inner_text()
    for code in data.shown:
        assert code in text
    assert data.pending not in text  # pre-moderation: not approved, not shown
    assert data.masked in text
    assert PHONE_IN_TEXT not in page.content()

    visit(f"/consultations/{data.slug}/response/")
    assert page.locator("h1").inner_text() == "意见采纳情况说明"
    assert int(page.locator("#total-received").inner_text()) == 8
    assert page.locator("[data-theme-disposition=adopted]").count() >= 1
    assert REASON in page.locator("main").inner_text()

    # The receipt: its code typed into the look-up form (never in the address, issue 12).
    visit("/consultations/receipt/")
    page.fill("#id_code", data.receipt)
    with page.expect_navigation():  # (the address stays the same)
        page.click("form.tj-lookup button[type=submit]")
    assert page.text_content("#receipt-code").strip() == data.receipt
    assert horizontal_overflow(page) <= 0
    if run_axe:
        problems.extend(f"receipt: {v}" for v in serious_violations(page))
    answers = page.locator(".tj-theme-answer")
    assert answers.count() == 2
    answered = answers.all_inner_texts()
    assert any("环境监测" in a for a in answered)
    assert any("补偿标准" in a and REASON in a for a in answered)
    assert page.get_by_role("link", name="查看完整的意见采纳情况").count() == 1

    visit("/methodology/")
    assert page.locator("h1").inner_text() == "我们如何统计和分析意见"
    assert "小于 5 的数字显示为" in page.locator("main").inner_text()

    assert problems == []


def test_public_pages_at_360_pixels_with_and_without_javascript(public, new_context):
    without_js = new_context(viewport=PHONE_WIDTH, java_script_enabled=False).new_page()
    # axe-core cannot run where page scripts are off; the markup is the same either way.
    check_pages(without_js, public, run_axe=False)

    with_js = new_context(viewport=PHONE_WIDTH).new_page()
    check_pages(with_js, public, run_axe=True)
