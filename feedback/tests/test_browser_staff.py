"""Issue-4 staff screens in the Wagtail admin, in the system Chromium, as demo-like users.

Users log in through Wagtail's real login form. Every screen is checked with axe-core: serious
or critical violations inside our templates' content fail the test; those in Wagtail's own
markup (sidebar, header, its widgets) are collected and printed, not failed (not ours to fix).
One data set per test (each live-server test costs a database flush), so the analyst's three
screens share one test, and the editor's and the assessor's screens another.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pytest

from feedback.tests._browser import (
    WAGTAIL_VIOLATIONS,
    admin_login,
    background_grouping_off,
    note_wagtail,
    split_admin_violations,
    use_contact_key,
)

pytestmark = [pytest.mark.e2e]

WIDE = {"width": 1280, "height": 900}
UNCODED_TEXT = "垃圾车每天清晨经过小区，噪声很大，希望调整收运时间。"


@dataclass
class Staff:
    consultation_id: int
    analyst: str
    editor: str
    assessor: str
    group_id: int
    uncoded_id: int
    money_theme_id: int
    texts: list[str]
    receipts: list[str]


@pytest.fixture
def staff(consultation_index_transactional, settings) -> Staff:
    from consultations.roles import Role
    from consultations.tests.factories import UserFactory
    from feedback.models import CampaignGroup, CampaignMember, Submission
    from feedback.tests._analysis_data import make_submission
    from feedback.tests.response_fixtures import build_world

    use_contact_key(settings)
    with background_grouping_off():
        world = build_world()
        c = world.consultation
        department = c.department
        analyst = UserFactory(
            username="fenxi", roles=[Role.ANALYST], department=department, is_staff=True
        )
        editor = world.editor
        assessor = UserFactory(username="wenping", roles=[Role.ASSESSOR], is_staff=True)
        health, money = world.themes
        money.shortcut = "2"
        money.save(update_fields=["shortcut"])
        uncoded = make_submission(
            c, channel="web", stance="oppose", affected_status="live", comment=UNCODED_TEXT
        )
        # A suggested group of identical letters, waiting for an analyst's decision.
        letter = "我们反对在此建设垃圾焚烧厂，请重新论证选址。"
        letters = [make_submission(c, channel="letter", comment=letter) for _ in range(3)]
        group = CampaignGroup.objects.create(
            consultation=c,
            kind=CampaignGroup.Kind.EXACT,
            status=CampaignGroup.Status.SUGGESTED,
            representative=letters[0],
        )
        for s in letters:
            CampaignMember.objects.create(group=group, submission=s)
    subs = Submission.objects.filter(consultation=c)
    return Staff(
        consultation_id=c.pk,
        analyst=analyst.username,
        editor=editor.username,
        assessor=assessor.username,
        group_id=group.pk,
        uncoded_id=uncoded.pk,
        money_theme_id=money.pk,
        texts=sorted({s.comment for s in subs if s.comment}),
        receipts=[s.formatted_receipt for s in subs],
    )


def check_screen(page, screen: str, title: str) -> None:
    """The page title is the page's one h1 (the admin header), and axe finds nothing serious
    in our content."""
    heading = page.locator("main h1")
    assert heading.count() == 1, screen
    assert title in heading.inner_text(), screen
    ours, wagtails = split_admin_violations(page)
    note_wagtail(screen, wagtails)
    assert [str(v) for v in ours] == [], screen


@pytest.fixture(scope="module", autouse=True)
def _print_wagtail_violations():
    yield
    if WAGTAIL_VIOLATIONS:
        lines = [f"{screen}: {v}" for screen, vs in WAGTAIL_VIOLATIONS.items() for v in sorted(vs)]
        warnings.warn(
            "Wagtail's own serious axe violations (not in our templates):\n" + "\n".join(lines),
            stacklevel=1,
        )


def test_analyst_dashboard_campaign_group_and_coding_by_keyboard(staff, new_context):
    from feedback.models import AuditAction, AuditEntry, CampaignGroup, Coding

    page = admin_login(new_context(viewport=WIDE), staff.analyst, password="pw")
    c = staff.consultation_id

    # Analysis dashboard: exact counts for the owning department's analyst, charts with text.
    page.goto(f"/admin/analysis/{c}/")
    assert page.locator("main svg").count() >= 6
    assert page.locator("main table caption").count() >= 1
    assert "&lt;5" not in page.content() and "<5" not in page.locator("main").inner_text()
    check_screen(page, "analysis dashboard", "统计分析")

    # Campaign groups: the list links to the suggested group; confirming it is one click.
    page.goto(f"/admin/campaigns/{c}/")
    check_screen(page, "campaign groups", "相同/相似意见")
    page.locator(f"a[href='/admin/campaigns/{c}/groups/{staff.group_id}/']").first.click()
    page.wait_for_url(f"**/admin/campaigns/{c}/groups/{staff.group_id}/")
    check_screen(page, "campaign group", "相同/相似意见组")
    with page.expect_navigation():
        page.locator("button[name=action][value=confirm]").click()
    group = CampaignGroup.objects.get(pk=staff.group_id)
    assert group.status == CampaignGroup.Status.CONFIRMED
    assert group.decided_by.username == staff.analyst
    assert AuditEntry.objects.filter(
        actor__username=staff.analyst, action=AuditAction.CAMPAIGN
    ).exists()

    # Coding screen: the theme's key adds the theme without a page load; the database has it.
    page.goto(f"/admin/coding/{c}/opinion/{staff.uncoded_id}/")
    assert UNCODED_TEXT in page.locator("[data-tj-coding]").inner_text()
    check_screen(page, "coding screen", "意见归类")
    button = page.locator("button[data-tj-key='2']")
    assert button.get_attribute("aria-pressed") == "false"
    page.evaluate("window.tjNoReload = true")
    page.locator("#tj-opinion-heading").click()  # focus out of any field
    page.keyboard.press("2")
    page.locator("button[data-tj-key='2'][aria-pressed=true]").wait_for()
    assert page.evaluate("window.tjNoReload") is True  # sent with fetch(), no page load
    coding = Coding.objects.get(submission_id=staff.uncoded_id)
    assert coding.theme_id == staff.money_theme_id
    assert coding.coded_by.username == staff.analyst
    check_screen(page, "coding screen (after coding)", "意见归类")


def test_editor_response_screen_and_assessor_dashboard(staff, new_context, live_server):
    from feedback.models import ThemeResponse

    c = staff.consultation_id

    # Response screen: the editor records a disposition with its reason through the form.
    page = admin_login(new_context(viewport=WIDE), staff.editor, password="pw")
    page.goto(f"/admin/response/{c}/")
    assert page.locator("#problems").count() == 1
    check_screen(page, "response screen", "意见采纳情况")
    theme = page.locator(f"#theme-{staff.money_theme_id}")
    theme.locator("select").select_option("not_adopted")
    theme.locator("textarea").first.fill("补偿标准由省级文件规定。")
    with page.expect_navigation():
        theme.locator("button[type=submit]").click()
    answer = ThemeResponse.objects.get(theme_id=staff.money_theme_id)
    assert (answer.disposition, answer.reason) == ("not_adopted", "补偿标准由省级文件规定。")
    check_screen(page, "response screen (after saving)", "意见采纳情况")

    # 稳评 dashboard: aggregates only, small cells suppressed, every other screen refused.
    page = admin_login(new_context(viewport=WIDE), staff.assessor, password="pw")
    page.goto(f"/admin/risk/{c}/")
    main = page.locator("main").inner_text()
    for text in staff.texts:
        assert text not in main
    for receipt in staff.receipts:
        assert receipt not in main
    cells = page.locator("table[data-stance-table] td[data-cell]").all_inner_texts()
    assert "<5" in cells
    # A cell hidden to protect a small one says so, never "<5" (issue 12, point 8).
    labels = {
        label
        for msgid in ("hidden (protects a small group)", "not shown")
        for label in (msgid, _zh(msgid))
    }
    assert all(cell in ("<5", "0", "–", "", *labels) or int(cell) >= 5 for cell in cells), cells
    assert page.locator("main a[href*='/admin/coding/'], main a[href*='/opinion']").count() == 0
    check_screen(page, "risk dashboard", "稳评民意依据")
    for url in (f"/admin/coding/{c}/", f"/admin/analysis/{c}/", f"/admin/campaigns/{c}/"):
        page.goto(url)
        assert page.url == f"{live_server.url}/admin/", url


def _zh(msgid: str) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def test_moderation_queue_public_page_and_export_progress(staff, new_context, live_server):
    """An editor hides one opinion from the public page with a reason (plain POST forms); it
    is gone from the public page and still counted: the analyst's XLSX, prepared through the
    export progress page and downloaded in the browser, has every opinion and no receipt."""
    import openpyxl

    from consultations.models import Consultation
    from feedback.models import ModerationState, StaffJob, Submission
    from feedback.tests._analysis_data import make_submission

    c = staff.consultation_id
    consultation = Consultation.objects.get(pk=c)
    shown_text = "建议在厂区周边设置空气质量公示屏。"
    hidden_text = "请大家去三栋找那位姓王的住户讨个说法。"
    kept = make_submission(consultation, channel="web", quote_consent=True, comment=shown_text)
    hidden = make_submission(consultation, channel="web", quote_consent=True, comment=hidden_text)
    received = Submission.objects.filter(consultation_id=c).count()

    # Moderation queue: turn public display on (post-moderation), then hide one opinion.
    page = admin_login(new_context(viewport=WIDE), staff.editor, password="pw")
    page.goto(f"/admin/review/{c}/")
    check_screen(page, "moderation queue", _zh("Moderate opinions"))
    display = page.locator(f"form[action='/admin/review/{c}/display/']")
    display.locator("input[name=enabled]").check()
    display.locator("input[name=mode][value=post]").check()
    with page.expect_navigation():
        display.locator("button[type=submit]").click()
    item = page.locator(f"#opinion-{hidden.pk}")
    assert hidden_text in item.inner_text()
    item.locator("input[name=state][value=hidden]").check()
    item.locator("input[name=reason]").fill("他人的个人信息")
    with page.expect_navigation():
        item.locator("button[type=submit]").click()
    assert Submission.objects.get(pk=hidden.pk).moderation_state == ModerationState.HIDDEN
    assert Submission.objects.get(pk=kept.pk).moderation_state != ModerationState.HIDDEN
    check_screen(page, "moderation queue (after a decision)", _zh("Moderate opinions"))

    # The public page, as a resident on a phone sees it.
    public = new_context(viewport={"width": 360, "height": 800}).new_page()
    public.goto(f"/consultations/{consultation.slug}/opinions/")
    main = public.locator("main").inner_text()
    assert shown_text in main
    assert hidden_text not in main

    # Still counted: the analyst's register export has every opinion, the hidden one flagged.
    page = admin_login(new_context(viewport=WIDE), staff.analyst, password="pw")
    page.goto(f"/admin/analysis/{c}/")
    page.locator("#export-scope").select_option("register")
    page.locator("select[name=format]").select_option("xlsx")
    with page.expect_navigation():
        page.locator(f"form[action='/admin/analysis/{c}/export/'] button[type=submit]").click()
    assert "/admin/analysis/export/" in page.url
    download_link = page.locator("a[href$='/download/']")
    download_link.wait_for(timeout=20_000)  # the page reloads itself until the file is ready
    check_screen(page, "export progress", _zh("Export"))
    with page.expect_download() as info:
        download_link.click()
    job = StaffJob.objects.get(requested_by__username=staff.analyst)
    assert job.status == StaffJob.Status.DONE
    assert info.value.suggested_filename.endswith(".xlsx")
    with open(info.value.path(), "rb") as downloaded:
        sheet = openpyxl.load_workbook(downloaded, read_only=True).worksheets[0]
        rows = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    assert len(rows) == 1 + received  # a header, then one row per opinion
    texts = " ".join(" ".join(row) for row in rows)
    (hidden_row,) = [row for row in rows if hidden_text in " ".join(row)]
    assert hidden_row[rows[0].index(_zh("Public display"))] == _zh("hidden")
    assert shown_text in texts
    for code in [*staff.receipts, kept.formatted_receipt, hidden.formatted_receipt]:
        assert code not in texts
    assert Submission.objects.filter(consultation_id=c).count() == received
