"""Public response page and PDF, the receipt's answer, the officials' screen (R20, R25)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.utils import timezone, translation

from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.analysis import aggregates
from feedback.analysis.suppression import PROTECTS, WITHHELD, display, is_hidden
from feedback.models import Coding, Disposition, Submission, ThemeResponse
from feedback.response.report import build_report
from feedback.response.selectors import published_response as published
from feedback.response.services import disposition_set
from feedback.response.views import pdf_cache_key
from feedback.tests.response_fixtures import build_world, department_approver, publish_response
from feedback.tests.test_response import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(consultation_index):
    return build_world()


def page_url(world) -> str:
    return f"/consultations/{world.consultation.slug}/response/"


def publish(world):
    answer_all(world)
    return publish_response(
        world,
        summary="感谢各位居民参与。根据意见，修改了第1条。",
        draft_from=world.v1,
        draft_to=world.v2,
    )


def _ints(pattern: str, html: str) -> list[int]:
    return [int(n) for n in re.findall(pattern, html)]


def _truthful(value, exact: int) -> bool:
    """A shown number is the register's; "<5" is 1 to 4; "hidden" is 5 or more; "not shown"
    claims nothing; and a count of 1 to 4 is never shown."""
    if 0 < exact < 5 and not is_hidden(value):
        return False
    if value is None:
        return 0 < exact < 5
    if value is PROTECTS:
        return exact >= 5
    return value is WITHHELD or value == exact


def _cells(attribute: str, html: str, tag: str = "td") -> list[str]:
    """The text of each element carrying ``attribute``, tags removed ("<5" for a hidden one)."""
    found = re.findall(rf"<{tag}[^>]*{attribute}[^>]*>(.*?)</{tag}>", html, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def test_404_before_publication(client, world):
    assert client.get(page_url(world)).status_code == 404
    assert client.get(page_url(world) + "pdf/").status_code == 404


def _pdf_layout(consultation) -> tuple[str, dict]:
    """The text WeasyPrint laid out in the response PDF: all of it (whitespace removed) and, per
    element with an ``id`` or a ``data-*`` attribute, ``{(attribute, value): [texts]}``."""
    from weasyprint.formatting_structure import boxes

    from feedback.response.views import render_document

    document = render_document(consultation, published(consultation))
    found: dict[int, tuple[object, list[str]]] = {}
    every: list[str] = []

    def walk(box, owner):
        element = getattr(box, "element", None)
        if element is not None and element is not getattr(owner, "element", None):
            if element.get("id") or any(k.startswith("data-") for k in element.keys()):
                owner = box
                found.setdefault(id(element), (element, []))
        if isinstance(box, boxes.TextBox):
            every.append(box.text)
            if owner is not None:
                found[id(owner.element)][1].append(box.text)
        for child in getattr(box, "children", None) or []:
            walk(child, owner)

    for page in document.pages:
        walk(page._page_box, None)
    by_attribute: dict = {}
    for element, texts in found.values():
        for key, value in element.items():
            if key == "id" or key.startswith("data-"):
                by_attribute.setdefault((key, value), []).append("".join(texts).strip())
    return re.sub(r"\s+", "", "".join(every)), by_attribute


def test_public_page_pdf_and_analysis_reconcile_with_the_register(client, world):
    """The public page, its PDF and the analysts' totals give the same numbers, and they are
    the register's (hand-counted from the submissions)."""
    publish(world)
    c = world.consultation
    # The register, hand-counted: 7 received, 1 withdrawn; 4 distinct texts (subs 0-3 share one,
    # the withdrawn one's counts like "received"); 1 campaign group of 2 (the dismissed one is
    # not counted).
    subs = Submission.objects.filter(consultation=c)
    received = subs.count()
    withdrawn = subs.filter(withdrawn=True).count()
    distinct = subs.exclude(text_hash="").values("text_hash").distinct().count()
    assert (received, withdrawn, distinct) == (7, 1, 4)
    analysis = aggregates.register_totals(c)
    assert (analysis["received"], analysis["withdrawn"]) == (received, withdrawn)
    assert analysis["distinct_texts"] == distinct
    assert (analysis["campaign_groups"], analysis["in_campaign_groups"]) == (1, 2)
    analysis_channels = [
        (row["received"], row["withdrawn"]) for row in analysis["by_channel"] if row["received"]
    ]

    html = client.get(page_url(world)).content.decode()
    text, pdf = _pdf_layout(c)
    # Opinions by channel (received, withdrawn): the page is public, so its small counts are
    # hidden (issue 12, point 8); page and PDF show the same thing, every number shown is the
    # register's and every hidden one is labelled for what it is.
    report = build_report(published(c))
    page_channels = list(
        zip(_cells("data-channel-count", html), _cells("data-channel-withdrawn", html), strict=True)
    )
    pdf_channels = list(
        zip(pdf[("data-channel-count", "")], pdf[("data-channel-withdrawn", "")], strict=True)
    )
    shown = [(display(n), display(w)) for _label, n, w in report.channels]
    assert page_channels == pdf_channels == shown
    for (n, w), (exact_n, exact_w) in zip(
        [(n, w) for _label, n, w in report.channels], analysis_channels, strict=True
    ):
        assert _truthful(n, exact_n) and _truthful(w, exact_w)
    for element_id, expected in [
        ("total-received", received),
        ("total-withdrawn", withdrawn),
        ("withdrawn-count", withdrawn),
        ("campaign-groups", 1),
    ]:
        assert _ints(rf'id="{element_id}">(\d+)<', html) == [expected], element_id
        assert pdf[("id", element_id)] == [str(expected)], element_id
    # One opinion about no theme: "<5", on the page and in the PDF.
    assert _cells('id="no-theme-count"', html, tag="span") == ["<5"]
    assert pdf[("id", "no-theme-count")] == ["<5"]
    # "N opinions, M distinct texts, K campaign groups" (R61), on the page and in the PDF.
    sentence = f"{received} 条意见，{distinct} 种不同文本，1 个相同/相似意见组"
    summary = re.search(r'<p class="campaign-summary"[^>]*>\s*(.*?)\s*</p>', html, re.S)
    assert summary and summary.group(1) == sentence
    assert f'data-opinions="{received}" data-distinct-texts="{distinct}" data-groups="1"' in html
    assert re.sub(r"\s+", "", sentence) in text
    # Opinions per disposition = distinct coded opinions of themes with that disposition,
    # hidden when under 5 (or when they would give a hidden one away).
    for disposition in Disposition.values:
        expected = (
            Coding.objects.filter(theme__consultation=c, theme__response__disposition=disposition)
            .values("submission")
            .distinct()
            .count()
        )
        value = report.counts["by_disposition"][disposition]
        assert _truthful(value, expected), disposition
        cell = _cells(f'data-disposition="{disposition}"', html)
        assert cell == [display(value)], disposition
        assert pdf[("data-disposition", disposition)] == [display(value)], disposition
    # Per theme: disposition and count (4 and 3 opinions: "<5").
    assert _cells("data-theme-count", html, tag="span") == ["<5", "<5"]
    assert pdf[("data-theme-count", "")] == ["<5", "<5"]
    assert 'data-theme-disposition="adopted"' in html
    assert "补偿标准由省级文件规定" in html and "补偿标准由省级文件规定" in text
    # The diff, clause by clause.
    assert "<ins>并每月公开监测数据。</ins>" in html
    assert "并每月公开监测数据。" in text


def test_the_campaign_summary_moves_with_the_register(client, world):
    """A test that could fail: the sentence follows the register (a new copy of a campaign text,
    a newly confirmed group), and the campaigns screen states the same figures."""
    from consultations.models import Consultation
    from feedback.campaigns.selectors import campaign_summary
    from feedback.models import CampaignGroup, CampaignMember
    from feedback.tests.response_fixtures import add_opinion, close

    c = world.consultation
    Consultation.objects.filter(pk=c.pk).update(closes_at=timezone.now() + timedelta(days=1))
    c.refresh_from_db()
    again = add_opinion(c, comment="请公开补偿标准。")  # the withdrawn opinion's text again
    Coding.objects.create(submission=again, theme=world.themes[1], coded_by=world.editor)
    extra = add_opinion(c, comment="另一条全新的意见。")
    group = CampaignGroup.objects.create(consultation=c, status=CampaignGroup.Status.SUGGESTED)
    CampaignMember.objects.create(group=group, submission=extra)
    CampaignMember.objects.create(group=group, submission=world.subs[5])
    Coding.objects.create(submission=extra, theme=world.themes[0], coded_by=world.editor)
    world.consultation = close(c)
    publish(world)
    html = client.get(page_url(world)).content.decode()
    assert 'data-opinions="9" data-distinct-texts="5" data-groups="2"' in html
    assert "9 条意见，5 种不同文本，2 个相同/相似意见组" in html
    screen = campaign_summary(c)
    assert (screen.opinions, screen.distinct_texts, screen.groups) == (9, 5, 2)


def test_a_response_published_with_an_old_snapshot_still_shows(client, world):
    """Snapshots stored before the canonical totals (``total``, ``by_channel`` as a dict,
    ``campaign_opinions``) are converted on read; the unknown figures are not invented."""
    from feedback.models import ConsultationResponse

    publish(world)
    old = {
        "total": 7,
        "by_channel": {"web": 5, "phone": 1, "letter": 1, "email": 0},
        "withdrawn": 1,
        "coded": 6,
        "no_theme": 1,
        "uncoded": 0,
        "themes": 3,
        "by_theme": {str(world.themes[0].pk): 4, str(world.themes[1].pk): 3},
        "by_disposition": {"adopted": 4, "partly": 0, "not_adopted": 3, "out_of_scope": 0},
        "campaign_groups": 1,
        "campaign_opinions": 2,
        "computed_at": "2026-11-30T10:00:00+08:00",
    }
    ConsultationResponse.objects.filter(consultation=world.consultation).update(counts=old)
    cache.clear()
    response = client.get(page_url(world), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    # 5, 1 and 1 by channel out of 7: the two single opinions are "<5", and the 5 cannot be
    # shown or labelled "hidden" (5 or more) without giving them away (7 - 5 = 1 + 1): not shown.
    assert _cells("data-channel-count", html) == ["not shown", "<5", "<5"]
    assert html.count("data-channel-withdrawn>—<") == 3
    assert _ints(r'id="total-received">(\d+)<', html) == [7]
    assert _ints(r'id="campaign-groups">(\d+)<', html) == [1]
    assert "campaign-summary" not in html  # distinct texts were not recorded then
    assert _cells('data-disposition="not_adopted"', html) == ["<5"]
    assert client.get(page_url(world) + "pdf/").content.startswith(b"%PDF")


def test_public_page_and_pdf_contain_no_names_contacts_or_receipts(client, world):
    publish(world)
    html = client.get(page_url(world)).content.decode()
    for s in Submission.objects.filter(consultation=world.consultation):
        assert s.formatted_receipt not in html and s.receipt not in html
        assert s.comment not in html  # no opinion texts either
    for secret in ("resident1@example.org", "resident6@example.org", "13800138000"):
        assert secret not in html
    assert world.editor.username not in html
    response = client.get(page_url(world) + "pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF")
    # The PDF's streams are compressed: check the HTML it is made from.
    from django.template.loader import render_to_string

    from feedback.response.views import report_context

    c = world.consultation
    printed = render_to_string("feedback/response/print.html", report_context(c, published(c)))
    assert "补偿标准由省级文件规定" in printed
    for s in Submission.objects.filter(consultation=c):
        assert s.formatted_receipt not in printed and s.comment not in printed
    for secret in ("resident1@example.org", "13800138000", world.editor.username):
        assert secret not in printed


def test_pdf_is_cached_by_publication_time(client, world):
    response = publish(world)
    url = page_url(world) + "pdf/"
    first = client.get(url).content
    with translation.override("zh-hans"):
        key = pdf_cache_key(response, "zh-hans")
    assert cache.get(key) == first
    cache.set(key, b"%PDF-cached", 60)
    assert client.get(url).content == b"%PDF-cached"


def test_receipt_shows_theme_and_answer_once_published(client, world):
    from feedback.tests._receipt import LOOKUP, open_receipt

    code = world.subs[1].formatted_receipt  # coded under both themes
    open_receipt(client, code)
    html = client.get(LOOKUP).content.decode()
    assert "补偿标准由省级文件规定" not in html
    publish(world)
    html = client.get(LOOKUP).content.decode()
    assert "环境监测" in html and "补偿标准" in html
    assert "补偿标准由省级文件规定" in html
    open_receipt(client, world.subs[5].formatted_receipt)
    no_theme = client.get(LOOKUP)
    assert "tj-theme-answer" not in no_theme.content.decode()


# --- the officials' screen -----------------------------------------------------------------


def screen(world) -> str:
    return f"/admin/response/{world.consultation.pk}/"


def test_screen_shows_themes_problems_and_forms(client, world):
    client.force_login(world.editor)
    html = client.get(screen(world)).content.decode()
    assert "环境监测" in html and "补偿标准" in html
    assert 'id="problems"' in html and "<li>" in html
    assert f'action="/admin/response/{world.consultation.pk}/submit/"' in html


@pytest.mark.parametrize(
    "role,same_dept,status",
    [
        (Role.EDITOR, True, 200),
        (Role.APPROVER, True, 200),
        (Role.SITE_ADMIN, False, 200),
        (Role.EDITOR, False, 403),
        (Role.ANALYST, True, 403),
        (Role.ASSESSOR, False, 403),
        (Role.INTAKE_CLERK, False, 403),
    ],
)
def test_screen_role_matrix(client, world, role, same_dept, status):
    from consultations.models import Department

    dept = (
        world.consultation.department
        if same_dept
        else Department.objects.create(name="别的局", slug="elsewhere")
    )
    user = UserFactory.with_role(role, department=dept)
    client.force_login(user)
    assert client.get(screen(world)).status_code in ((status,) if status == 200 else (403, 302))


def test_dispositions_and_publishing_through_the_screen_without_js(client, world):
    client.force_login(world.editor)
    health, money = world.themes
    url = f"/admin/response/{world.consultation.pk}/theme/{money.pk}/"
    refused = client.post(url, {f"t{money.pk}-disposition": "not_adopted"})
    assert refused.status_code == 400
    assert not ThemeResponse.objects.filter(theme=money).exists()
    ok = client.post(
        url,
        {f"t{money.pk}-disposition": "not_adopted", f"t{money.pk}-reason": "由省级文件规定。"},
    )
    assert ok.status_code == 302
    client.post(
        f"/admin/response/{world.consultation.pk}/theme/{health.pk}/",
        {
            f"t{health.pk}-disposition": "adopted",
            f"t{health.pk}-changed_clauses": [world.new_clause.pk],
        },
    )
    assert ThemeResponse.objects.get(theme=health).changed_clauses.get() == world.new_clause
    submit_url = f"/admin/response/{world.consultation.pk}/submit/"
    done = client.post(
        submit_url,
        {
            "summary": "感谢参与。",
            "draft_from": world.v1.pk,
            "draft_to": world.v2.pk,
            "confirm": "on",
        },
    )
    assert done.status_code == 302, done.content.decode()[:3000]
    world.consultation.opinion_response.refresh_from_db()
    assert world.consultation.opinion_response.published_at is None  # waits for approval
    client.force_login(department_approver(world))
    approve_url = f"/admin/response/{world.consultation.pk}/approve/"
    done = client.post(approve_url, {"confirm": "on"})
    assert done.status_code == 302, done.content.decode()[:3000]
    world.consultation.opinion_response.refresh_from_db()
    assert world.consultation.opinion_response.published_at is not None


def test_publishing_through_the_screen_shows_the_problems(client, world):
    client.force_login(world.editor)
    disposition_set(user=world.editor, theme=world.themes[0], disposition=Disposition.ADOPTED)
    response = client.post(
        f"/admin/response/{world.consultation.pk}/submit/",
        {"summary": "感谢参与。", "confirm": "on"},
    )
    assert response.status_code == 400
    assert "补偿标准" in response.content.decode()
