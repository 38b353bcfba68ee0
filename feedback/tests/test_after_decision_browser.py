"""A resident on a phone gives an opinion during implementation (issue 16 point 5), in the system
Chromium without JavaScript, at 360 x 780: the decided page shows the channel and its count, the
short form sends (an empty one says why, with the focus on the summary), the receipt follows;
axe-core finds nothing on the three pages. One page load per assertion group."""

from __future__ import annotations

import pytest

from feedback.tests._browser import horizontal_overflow

pytestmark = [pytest.mark.e2e]

PHONE = {"width": 360, "height": 780}


def context_for(new_context, live_server, *, font, **options):
    """A phone in Chinese at the text size ``font`` (as cms/tests/test_phone_browser.py)."""
    context = new_context(language="zh-hans", viewport=PHONE, locale="zh-CN", **options)
    context.add_cookies([{"name": "tj_font", "value": font, "url": live_server.url}])
    return context


def axe_violations(page) -> list[str]:
    """Every axe-core violation, whatever its impact (needs JavaScript)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v.get('impact')}): {[n['target'] for n in v['nodes']][:3]}" for v in results
    ]


@pytest.fixture
def decided(consultation_index_transactional):
    from consultations.tests.factories import published_consultation
    from feedback.tests._after_decision import decide, implementation_opinion
    from feedback.tests.response_fixtures import close

    c = decide(close(published_consultation(slug="school-merger", title="河口村小学并入方案")))
    implementation_opinion(c, comment="校车时间太早。")
    return c


def test_a_resident_on_a_phone_without_javascript(decided, new_context, live_server):
    from feedback.models import Phase, Submission

    page = context_for(
        new_context, live_server, font="xlarge", java_script_enabled=False
    ).new_page()
    page.set_default_timeout(20_000)
    page.goto("/consultations/school-merger/")
    assert "实施期间已收到 1 条意见" in page.locator("#implementation-count").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="对决策实施提出意见").click()
    assert horizontal_overflow(page) <= 0
    # Empty: the browser's own check would stop it; without it the server refuses and says why.
    page.evaluate("document.querySelector('textarea[name=comment]').removeAttribute('required')")
    with page.expect_navigation():
        page.locator("form.tj-opinion-form button[type=submit]").click()
    focused = ""
    for _ in range(20):  # autofocus runs with the first rendering (no script to wait on)
        focused = page.evaluate("document.activeElement.id")
        if focused == "error-summary":
            break
        page.wait_for_timeout(50)
    assert focused == "error-summary"
    assert "请先写下您的意见再发送" in page.locator("#error-summary").inner_text()
    page.locator("textarea[name=comment]").fill("新校区门口上下学时段车辆拥堵。")
    page.get_by_label("我居住在范围内").check()
    with page.expect_navigation():
        page.locator("form.tj-opinion-form button[type=submit]").click()
    assert "/receipt/" in page.url
    stored = Submission.objects.get(consultation=decided, comment="新校区门口上下学时段车辆拥堵。")
    assert stored.phase == Phase.IMPLEMENTATION
    assert stored.formatted_receipt.replace("-", "") in page.locator(
        "#receipt-code"
    ).inner_text().replace("-", "")


def test_the_pages_are_axe_clean_on_a_phone(decided, new_context, live_server):
    """axe needs JavaScript: the same pages, with it."""
    page = context_for(new_context, live_server, font="standard").new_page()
    page.set_default_timeout(20_000)
    page.goto("/consultations/school-merger/")
    assert axe_violations(page) == []
    page.goto("/consultations/school-merger/implementation/")
    assert axe_violations(page) == []
    page.evaluate("document.querySelector('textarea[name=comment]').removeAttribute('required')")
    with page.expect_navigation():
        page.locator("form.tj-opinion-form button[type=submit]").click()
    assert page.locator("#error-summary").is_visible()
    assert axe_violations(page) == []
