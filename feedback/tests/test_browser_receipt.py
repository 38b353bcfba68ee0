"""Issue 12, point 4, in the system Chromium: a resident sends an opinion with a contact, closes
the receipt, looks the opinion up by typing the code, changes it, deletes the contact and
withdraws the opinion; no URL the browser asked for, no entry of the tab's history and no row
of the profile's History database contains the receipt code. The browser runs with a profile
of its own on disk (a persistent context), so its real history can be read after it closes.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.tests._browser import PHONE_WIDTH, serious_violations, use_contact_key

pytestmark = [pytest.mark.e2e]

CHROMIUM = "/usr/bin/chromium"  # as the root conftest.py: never a downloaded browser
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
EMAIL = "resident@example.org"


@pytest.fixture
def consultation(consultation_index_transactional, settings):
    from consultations.tests.factories import AlternativeFactory, published_consultation
    from feedback.tests.conftest import ensure_clauses

    use_contact_key(settings)
    now = timezone.now()
    consultation = published_consultation(
        slug="park-trees", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )
    AlternativeFactory(consultation=consultation, title="方案甲")
    ensure_clauses(consultation, 2)
    return consultation


def _variants(code: str) -> set[str]:
    plain = code.replace("-", "")
    return {code, plain, code.lower(), plain.lower()}


def test_the_receipt_code_is_in_no_url_of_the_browser(
    chromium, live_server, consultation, tmp_path
):
    from feedback.models import Contact, Submission

    profile = tmp_path / "profile"
    context = chromium.browser_type.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        base_url=live_server.url,
        viewport=PHONE_WIDTH,
        locale="zh-CN",
    )
    asked: list[str] = []
    context.on("request", lambda request: asked.append(request.url))
    problems: list[str] = []
    try:
        page = context.new_page()
        page.goto("/consultations/park-trees/opinion/")
        page.check("input[name=stance][value=oppose]")
        page.fill("textarea[name=comment]", "公园的树不应砍伐。")
        page.fill("input[name=contact_email]", EMAIL)
        page.click("form.tj-opinion-form button[type=submit]")
        page.wait_for_url("**/consultations/receipt/?sent=1")
        code = page.text_content("#receipt-code").strip()
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
        problems += [f"receipt: {v}" for v in serious_violations(page)]

        page.click("form[action$='/receipt/close/'] button")  # done, on a shared computer
        page.wait_for_url("**/consultations/receipt/?closed=1")
        assert page.locator("#receipt-code").count() == 0
        problems += [f"look-up: {v}" for v in serious_violations(page)]

        page.fill("#id_code", code.lower().replace("-", " "))  # as typed from the paper
        page.click("form.tj-lookup button[type=submit]")
        page.wait_for_url(re.compile(r"/consultations/receipt/$"))
        assert page.text_content("#receipt-code").strip() == code

        page.click("a[href$='/receipt/edit/']")
        page.wait_for_url("**/consultations/receipt/edit/")
        assert page.input_value("textarea[name=comment]") == "公园的树不应砍伐。"
        page.fill("textarea[name=comment]", "公园的树不应砍伐，可以移栽。")
        page.click("form.tj-opinion-form button[type=submit]")
        page.wait_for_url("**/consultations/receipt/?updated=1")

        page.click("form[action$='/receipt/contact/delete/'] button")
        page.wait_for_url("**/consultations/receipt/?contact_deleted=1")
        assert page.locator("form[action$='/receipt/contact/delete/']").count() == 0

        page.click("a[href$='/receipt/withdraw/']")
        page.wait_for_url("**/consultations/receipt/withdraw/")
        problems += [f"withdraw: {v}" for v in serious_violations(page)]
        page.click("button.tj-button-danger")
        page.wait_for_url("**/consultations/receipt/?withdrawn=1")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH["width"]

        session = context.new_cdp_session(page)
        tab_history = [e["url"] for e in session.send("Page.getNavigationHistory")["entries"]]
        cookies = context.cookies()
    finally:
        context.close()

    submission = Submission.objects.get()
    assert submission.formatted_receipt == code
    assert submission.withdrawn and submission.comment == "公园的树不应砍伐，可以移栽。"
    assert submission.contact_ref == "" and Contact.objects.count() == 0
    (receipt_cookie,) = [c for c in cookies if c["name"] == "tj_receipt"]
    assert receipt_cookie["path"] == "/consultations/receipt/" and receipt_cookie["httpOnly"]

    with sqlite3.connect(profile / "Default" / "History") as db:
        history = [url for (url,) in db.execute("SELECT url FROM urls")]
    assert any(url.endswith("/consultations/receipt/?withdrawn=1") for url in history), history
    assert len(tab_history) >= 8 and len(asked) >= 8
    for name, urls in (("requests", asked), ("tab", tab_history), ("History", history)):
        leaks = [url for url in urls if any(v in url for v in _variants(code))]
        assert leaks == [], name
    assert problems == []
