"""A resident's path through the public site in Chromium, with and without JavaScript."""

import pytest

pytestmark = pytest.mark.e2e

DETAIL = "/consultations/waste-plant/"
PAGES = ["/", "/consultations/", DETAIL]


def html_class(page) -> str:
    return page.evaluate("document.documentElement.className")


def test_resident_switches_to_english_and_large_text_then_reads_a_consultation(site_data, page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"

    page.locator(".settings-summary").click()  # the settings fold into one control
    page.locator("form.language-switch button[lang='en']").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    status = page.get_by_role("status")
    assert "Switched to English" in status.inner_text()

    page.locator(".settings-summary").click()
    page.locator("button[name='font_size'][value='large']").click()
    page.wait_for_load_state()
    assert "font-large" in html_class(page)
    body_px = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_px >= 20
    assert page.get_by_role("status").count() == 0  # the announcement was shown once

    page.get_by_role("link", name="Waste-to-energy plant siting plan").first.click()
    page.wait_for_load_state()
    assert page.url.endswith(DETAIL)
    assert page.locator("h1").inner_text() == "Waste-to-energy plant siting plan"
    assert "font-large" in html_class(page)
    for n in (1, 2, 3):
        clause = page.locator(f"#clause-{n}")
        assert clause.count() == 1
        link = clause.locator(f"a[href='{DETAIL}opinion/?clause={n}#clause-{n}']")
        assert link.count() == 1
    # At the top (on the first screen) and again after the alternatives and questions.
    assert page.get_by_role("link", name="Give your opinion").count() >= 2


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("url", PAGES)
def test_no_serious_accessibility_violations(site_data, new_context, language, url):
    from axe_playwright_python.sync_playwright import Axe

    page = new_context(language=language).new_page()
    page.goto(url)
    results = Axe().run(page)
    serious = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
    assert serious == []


def test_no_serious_accessibility_violations_in_high_contrast(site_data, new_context, live_server):
    from axe_playwright_python.sync_playwright import Axe

    context = new_context()
    context.add_cookies([{"name": "tj_contrast", "value": "high", "url": live_server.url}])
    page = context.new_page()
    for url in PAGES:
        page.goto(url)
        assert "contrast-high" in html_class(page)
        violations = Axe().run(page).response["violations"]
        assert [v["id"] for v in violations if v.get("impact") in ("serious", "critical")] == []


@pytest.mark.parametrize("font_size", ["standard", "xlarge"])
def test_no_horizontal_scrolling_at_360_pixels(site_data, new_context, live_server, font_size):
    context = new_context(viewport={"width": 360, "height": 800})
    context.add_cookies([{"name": "tj_font", "value": font_size, "url": live_server.url}])
    page = context.new_page()
    for url in [*PAGES, "/privacy/"]:
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (url, overflow)


def test_preferences_and_language_work_without_javascript(site_data, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(DETAIL)
    assert page.locator("[data-read-aloud]").is_hidden()

    page.locator(".settings-summary").click()
    page.locator("button[name='font_size'][value='xlarge']").click()
    page.wait_for_load_state()
    assert "font-xlarge" in html_class(page)
    assert page.url.endswith(DETAIL)

    page.locator(".settings-summary").click()
    page.locator("button[name='contrast']").click()
    page.wait_for_load_state()
    assert "contrast-high" in html_class(page)

    page.locator(".settings-summary").click()
    page.locator("form.language-switch button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith(DETAIL)


def test_read_aloud_button_appears_only_with_javascript(site_data, page):
    page.goto(DETAIL)
    page.wait_for_load_state("load")
    has_speech = page.evaluate("'speechSynthesis' in window")
    page.locator(".settings-summary").click()  # read-aloud sits in the one settings control
    assert page.locator("[data-read-aloud]").is_visible() == has_speech
