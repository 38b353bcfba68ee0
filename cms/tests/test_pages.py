"""The public pages: home, list with filters, consultation page, fixed pages."""

import re

import pytest
from django.urls import reverse

from cms.site_setup import ensure_site_tree
from consultations.models import Consultation, StabilityStatus
from consultations.tests.factories import ConsultationFactory, DistrictFactory, make_openable

pytestmark = pytest.mark.django_db

DETAIL = "/consultations/waste-plant/"


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_setup_site_is_idempotent_and_serves_any_host(site_tree, client):
    again = ensure_site_tree()
    assert again.pk == site_tree.pk
    slugs = sorted(p.slug for p in site_tree.get_children())
    assert slugs == ["accessibility", "consultations", "how-to-take-part", "methodology", "privacy"]
    page = html(client.get("/", HTTP_HOST="consult.example.gov.cn"))
    assert "政府作出重大决策前" in page


def test_privacy_page_states_legal_basis_retention_and_rights(site_tree, client):
    page = html(client.get("/privacy/"))
    for required in (
        "履行法定职责",
        "第十三条第一款第（三）项",
        "90日",
        "撤回",
        "受托处理者",
        "身份证号",
        "IP地址",
    ):
        assert required in page, required


def test_home_page_in_chinese_lists_open_consultation_first(open_consultation, client):
    page = html(client.get("/"))
    assert '<html lang="zh-Hans"' in page
    assert "垃圾焚烧发电厂选址方案" in page
    assert 'href="/consultations/waste-plant/"' in page
    assert page.index("section-open") < page.index("section-answered")


def test_home_page_in_english_uses_english_content(open_consultation, english):
    page = html(english.get("/"))
    assert '<html lang="en"' in page
    assert "Waste-to-energy plant siting plan" in page
    assert "垃圾焚烧发电厂选址方案" not in page


def test_standard_page_renders_english_body(site_tree, english):
    page = html(english.get("/accessibility/"))
    assert "GB/T 37668-2019" in page
    assert "Accessibility statement" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("status=open", "垃圾焚烧发电厂选址方案", "公交线网优化方案"),
        ("status=closed", "公交线网优化方案", "垃圾焚烧发电厂选址方案"),
        ("q=焚烧", "垃圾焚烧发电厂选址方案", "公交线网优化方案"),
        ("district=330106", "垃圾焚烧发电厂选址方案", "公交线网优化方案"),
    ],
)
def test_list_filters(open_consultation, closed_consultation, client, query, shown, hidden):
    page = html(client.get(f"/consultations/?{query}"))
    assert shown in page
    assert hidden not in page


def test_list_filter_by_department_and_kind(open_consultation, closed_consultation, client):
    slug = open_consultation.department.slug
    page = html(client.get(f"/consultations/?department={slug}&kind=major_decision"))
    assert "垃圾焚烧发电厂选址方案" in page
    assert "公交线网优化方案" not in page


def test_list_ignores_unknown_filter_values(open_consultation, client):
    page = html(client.get("/consultations/?status=bogus&kind=nope"))
    assert "垃圾焚烧发电厂选址方案" in page


def test_list_is_a_plain_get_form(site_tree, client):
    page = html(client.get("/consultations/"))
    assert re.search(r'<form class="filters" method="get"', page)
    for name in ("status", "kind", "district", "department", "q"):
        assert f'name="{name}"' in page


def test_unpublished_consultation_is_not_found(site_tree, now, client):
    draft = make_openable(ConsultationFactory(slug="secret-draft"))
    assert not draft.live
    assert client.get("/consultations/secret-draft/").status_code == 404
    assert client.get("/consultations/no-such-thing/").status_code == 404


def test_consultation_page_shows_parts_in_order(open_consultation, client):
    page = html(client.get(DETAIL))
    order = [
        "<h1>垃圾焚烧发电厂选址方案</h1>",
        "status-badge status-open",
        "城市管理局",
        "通俗版：城西需要新建垃圾处理设施。",
        'id="period-title"',
        'id="clause-1"',
        'id="alternatives-title"',
        'id="changes-title"',
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_consultation_page_has_clause_anchors_and_comment_links(open_consultation, client):
    page = html(client.get(DETAIL))
    for n in (1, 2, 3):
        assert f'id="clause-{n}"' in page
        assert f'href="{DETAIL}opinion/?clause={n}#clause-{n}"' in page
    assert f'href="{DETAIL}opinion/"' in page


def test_closed_consultation_has_no_opinion_links(closed_consultation, client):
    page = html(client.get("/consultations/old-bus-plan/"))
    assert 'id="clause-1"' in page
    assert "opinion/" not in page


def test_period_shows_close_at_midnight_and_days_left(open_consultation, english):
    page = html(english.get(DETAIL))
    # Opened 2 March 2026 10:00 for 45 days: last day 16 April, 45 days left today.
    assert "Closes at 24:00 on Thursday, 16 April 2026, 45 days left" in page


def test_shortened_reason_is_shown_above_the_summary(site_tree, now, client):
    from consultations.tests.factories import published_consultation

    published_consultation(
        slug="short",
        shortened_reason="因汛期临近，需尽快确定方案。",
        plain_summary="摘要文字",
    )
    page = html(client.get("/consultations/short/"))
    assert "因汛期临近，需尽快确定方案。" in page
    assert page.index("因汛期临近") < page.index("摘要文字")


def test_change_log_never_shows_staff_names(open_consultation, publisher, client):
    page = html(client.get(DETAIL))
    assert open_consultation.change_log.exists()
    assert 'id="changes-title"' in page
    for name in (publisher.username, publisher.first_name + publisher.last_name, "三丰"):
        assert name not in page


def test_stability_assessment_level_only_when_disclosed(site_tree, now, client):
    from consultations.tests.factories import published_consultation

    published_consultation(
        slug="withheld",
        stability_status=StabilityStatus.WITHHELD,
        stability_level=Consultation.StabilityLevel.HIGH,
        stability_assessor="第三方评估机构",
        stability_withheld_ground="《政府信息公开条例》第十六条",
    )
    page = html(client.get("/consultations/withheld/"))
    assert "第三方评估机构" in page
    assert "《政府信息公开条例》第十六条" in page
    assert 'id="stability-title"' in page
    assert str(Consultation.StabilityLevel.HIGH.label) not in page


def test_hostile_titles_are_escaped(site_tree, now, client):
    from consultations.tests.factories import published_consultation

    published_consultation(slug="xss", title="<script>alert(1)</script>方案")
    page = html(client.get("/consultations/xss/"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_public_pages_send_self_only_csp_and_no_inline_code(open_consultation, client):
    for url in ("/", "/consultations/", DETAIL, "/privacy/"):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        page = html(response)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert " style=" not in page, url
        assert not re.search(r"\son[a-z]+=", page), url


def test_detail_page_query_count_is_bounded(
    open_consultation, client, django_assert_max_num_queries
):
    client.get(DETAIL)  # warm Wagtail's site-root cache, as a running server has it
    for i in range(3):
        DistrictFactory(code=f"X{i}")
    with django_assert_max_num_queries(15):
        html(client.get(DETAIL))


def test_language_switch_announces_new_language_once(site_tree, client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/privacy/"})
    assert response.status_code == 302
    page = html(client.get(response["Location"]))
    assert '<html lang="en"' in page
    assert 'role="status"' in page
    assert "Switched to English" in page
    assert "Switched to English" not in html(client.get("/privacy/"))


def test_language_switch_button_has_language_of_its_label(site_tree, client, settings):
    zh_page = html(client.get("/"))
    assert re.search(r'<button[^>]*lang="en"[^>]*>\s*<span[^>]*>A</span> English', zh_page)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en_page = html(client.get("/"))
    assert re.search(r'<button[^>]*lang="zh-Hans"', en_page)


def test_home_lists_answered_consultation_under_recently_answered(
    closed_consultation, publisher, client
):
    from consultations.services import consultation_set_stage

    consultation_set_stage(
        consultation=closed_consultation, stage=Consultation.Stage.DECIDED, user=None
    )
    page = html(client.get("/"))
    answered = page[page.index('id="section-answered"') :]
    assert "公交线网优化方案" in answered[: answered.index("</section>")]


def test_list_pagination_keeps_filters(open_consultation, closed_consultation, client, monkeypatch):
    monkeypatch.setattr("cms.models.LIST_PAGE_SIZE", 1)
    page = html(client.get("/consultations/?kind=major_decision"))
    assert 'href="?kind=major_decision&amp;page=2"' in page
    second = html(client.get("/consultations/?kind=major_decision&page=2"))
    assert 'href="?kind=major_decision&amp;page=1"' in second


def test_attachments_link_to_wagtail_documents(open_consultation, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from consultations.models import Attachment

    document = Document.objects.create(
        title="全文", file=ContentFile(b"%PDF-1.4 test", name="draft-full.pdf")
    )
    Attachment.objects.create(
        consultation=open_consultation, document=document, title="征求意见稿全文", type="draft"
    )
    page = html(client.get(DETAIL))
    assert f'href="{document.url}"' in page
    assert "征求意见稿全文" in page
    assert "PDF" in page


def test_english_page_marks_chinese_fallback_text(open_consultation, english):
    page = html(english.get(DETAIL))
    assert "<h1>Waste-to-energy plant siting plan</h1>" in page
    # The factory's clauses have no English text: they are read with a Chinese voice.
    assert '<div class="clause-text" lang="zh-Hans">' in page
