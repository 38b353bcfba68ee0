"""The consultation page's cache and routing shortcut (cms.page_cache, cms.fast_route, ADR 0004).

A cached page must never be stale: every change a resident could see shows on the next
request. The shortcut must answer exactly what Wagtail's routing would.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from wagtail import hooks
from wagtail.models import PageViewRestriction, Site

from consultations import services
from consultations.models import Alternative, Consultation, Stage
from consultations.tests.factories import DraftClauseFactory, published_consultation

from ._pages import as_reader, reader_variants

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_page_cache")]

DETAIL = "/consultations/waste-plant/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def same_page(html: str) -> str:
    """The HTML with the (per-request, randomly masked) CSRF tokens blanked."""
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)


def edit(consultation, **fields):
    """What the admin does: load the live object, change it, save a revision, publish it."""
    obj = Consultation.objects.get(pk=consultation.pk)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.save_revision().publish(skip_permission_checks=True)
    return Consultation.objects.get(pk=obj.pk)


# Speed -----------------------------------------------------------------------------------------


def test_cached_page_costs_one_query(open_consultation, client, django_assert_max_num_queries):
    first = page(client.get(DETAIL))
    with django_assert_max_num_queries(1):
        again = page(client.get(DETAIL))
    assert "垃圾焚烧发电厂选址方案" in again
    assert same_page(again) == same_page(first)


def test_wagtail_routed_page_uses_the_cache_too(
    open_consultation, client, wagtail_routing, django_assert_max_num_queries
):
    wagtail_routing()
    page(client.get(DETAIL))
    # Routing (site, pages, restrictions), the stamp and the header's links; no content reads.
    with django_assert_max_num_queries(10):
        page(client.get(DETAIL))


# Same page as Wagtail's routing ------------------------------------------------------------------


@reader_variants
def test_shortcut_answers_like_wagtail_routing(
    open_consultation, client, wagtail_routing, language, query, cookies
):
    as_reader(client, language, cookies)
    fast = client.get(DETAIL + query)
    fast_again = client.get(DETAIL + query)  # from the cached shell
    wagtail_routing()
    routed = client.get(DETAIL + query)
    assert same_page(page(fast)) == same_page(page(routed)) == same_page(page(fast_again))
    for header in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "Vary"):
        assert fast[header] == routed[header], header
    if query:  # the forms send the reader back to the very URL, escaped
        html = page(fast_again)
        assert html.count(f'name="next" value="{DETAIL}?next=') == 2
        assert "<b>" not in html


def test_each_response_has_a_fresh_working_csrf_token(open_consultation, client):
    client.handler.enforce_csrf_checks = True
    page(client.get(DETAIL))
    html = page(client.get(DETAIL))
    tokens = TOKEN.findall(html)
    assert len(tokens) == 2  # language switch and preferences
    response = client.post(
        "/preferences/", {"csrfmiddlewaretoken": tokens[0], "font_size": "large", "next": DETAIL}
    )
    assert response.status_code == 302
    html = page(client.get(DETAIL))
    assert 'class="font-large contrast-normal"' in html
    assert TOKEN.findall(html)[0] != tokens[0]  # masked anew for every response


def test_messages_are_shown_once_with_the_cached_page(open_consultation, client):
    page(client.get(DETAIL))
    response = client.post("/i18n/setlang/", {"language": "en", "next": DETAIL}, follow=True)
    html = page(response)
    assert "Switched to English" in html
    assert "Waste-to-energy plant siting plan" in html
    assert "Switched to English" not in page(client.get(DETAIL))


def test_languages_are_cached_apart(open_consultation, client, english):
    assert "Waste-to-energy plant siting plan" in page(english.get(DETAIL))
    english.cookies["django_language"] = "zh-hans"
    html = page(english.get(DETAIL))
    assert "<h1>垃圾焚烧发电厂选址方案</h1>" in html
    assert "Waste-to-energy plant siting plan" not in html


# Changes show at once --------------------------------------------------------------------------


def test_published_edit_shows_at_once(open_consultation, client):
    """The clock is frozen here: the row version, not the timestamp, tells the change."""
    assert "新的起草说明" not in page(client.get(DETAIL))
    edit(open_consultation, explanatory_note="新的起草说明", change_note="补充说明。")
    html = page(client.get(DETAIL))
    assert "新的起草说明" in html
    assert "补充说明。" in html  # the change log entry with its reason


def test_added_alternative_shows_at_once(open_consultation, client):
    page(client.get(DETAIL))
    obj = Consultation.objects.get(pk=open_consultation.pk)
    obj.alternatives.add(Alternative(title="丙地", summary="第三个选址"))
    obj.change_note = "增加一个选址。"
    obj.save_revision().publish(skip_permission_checks=True)
    assert "丙地" in page(client.get(DETAIL))


def test_extension_shows_new_close_date_and_change_log(open_consultation, english, publisher):
    html = page(english.get(DETAIL))
    assert "Closes at 24:00 on Thursday, 16 April 2026, 45 days left" in html
    services.consultation_extend(
        consultation=open_consultation,
        closes_at=open_consultation.closes_at + timedelta(days=10),
        reason="Many residents asked for more time.",
        user=publisher,
    )
    html = page(english.get(DETAIL))
    assert "Closes at 24:00 on Sunday, 26 April 2026, 55 days left" in html
    assert "Many residents asked for more time." in html


def test_days_left_changes_at_local_midnight(open_consultation, english, time_machine, now):
    assert "45 days left" in page(english.get(DETAIL))
    time_machine.move_to(now.replace(hour=23, minute=59, second=59), tick=False)
    assert "45 days left" in page(english.get(DETAIL))
    time_machine.move_to(now.replace(hour=0) + timedelta(days=1, seconds=1), tick=False)
    assert "44 days left" in page(english.get(DETAIL))


def test_status_changes_when_the_clock_passes_the_close(open_consultation, client, time_machine):
    html = page(client.get(DETAIL))
    assert "status-badge status-open" in html
    assert f'href="{DETAIL}opinion/"' in html
    time_machine.move_to(open_consultation.closes_at - timedelta(seconds=1), tick=False)
    assert "status-badge status-open" in page(client.get(DETAIL))
    time_machine.move_to(open_consultation.closes_at, tick=False)
    html = page(client.get(DETAIL))
    assert "status-badge status-closed" in html
    assert "opinion/" not in html


def test_status_changes_when_the_clock_passes_the_opening(site_tree, now, client, time_machine):
    published_consultation(slug="soon", opens_at=now + timedelta(hours=2))
    html = page(client.get("/consultations/soon/"))
    assert "status-badge status-upcoming" in html
    assert "opinion/" not in html
    time_machine.move_to(now + timedelta(hours=2), tick=False)
    html = page(client.get("/consultations/soon/"))
    assert "status-badge status-open" in html
    assert 'href="/consultations/soon/opinion/"' in html


def test_stage_and_new_draft_version_after_close_show_at_once(
    closed_consultation, client, publisher
):
    url = "/consultations/old-bus-plan/"
    assert "status-badge status-closed" in page(client.get(url))
    clause = closed_consultation.draft_clauses.first()
    clause.text = "修改后的第一条：线路调整后保留夜班车。"
    clause.save()
    services.draft_version_create(
        consultation=closed_consultation, user=publisher, note="根据意见修改第一条。"
    )
    html = page(client.get(url))
    assert "修改后的第一条：线路调整后保留夜班车。" in html
    assert "根据意见修改第一条。" in html
    services.consultation_set_stage(
        consultation=closed_consultation, stage=Stage.DECIDED, user=publisher
    )  # ("response published" needs a published response: feedback/tests/test_response_public)
    assert "status-badge status-decided" in page(client.get(url))


def test_department_and_district_renames_show_at_once(open_consultation, client):
    page(client.get(DETAIL))
    department = open_consultation.department
    department.name = "城市管理和综合执法局"
    department.save()
    district = open_consultation.districts.get()
    district.name = "西湖新区"
    district.save()
    html = page(client.get(DETAIL))
    assert "城市管理和综合执法局" in html
    assert "西湖新区" in html


def test_replaced_document_file_shows_at_once(open_consultation, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from consultations.models import Attachment

    document = Document.objects.create(
        title="全文", file=ContentFile(b"%PDF-1.4 test", name="draft-v1.pdf")
    )
    Attachment.objects.create(
        consultation=open_consultation, document=document, title="征求意见稿全文", type="draft"
    )
    first_url = document.url  # stored under a random name (issue 13): the URL carries it
    assert first_url in page(client.get(DETAIL))
    document.file = ContentFile(b"%PDF-1.4 corrected", name="draft-v2.pdf")
    document.save()
    html = page(client.get(DETAIL))
    assert document.url != first_url
    assert document.url in html
    assert first_url not in html


def test_renamed_decision_document_shows_at_once(open_consultation, client, settings, tmp_path):
    """The decision's document and a chain step's document are on the page too (issue 16)."""
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from consultations.models import Decision, DecisionStep, Step, StepStatus

    decided = Document.objects.create(
        title="决定书", file=ContentFile(b"%PDF-1.4 d", name="decision.pdf")
    )
    review = Document.objects.create(
        title="合法性审查意见", file=ContentFile(b"%PDF-1.4 r", name="review.pdf")
    )
    Decision.objects.create(
        consultation=open_consultation,
        decided_on=open_consultation.closes_at.date(),
        body="示例市人民政府",
        summary="决定实施。",
        document=decided,
    )
    DecisionStep.objects.create(
        consultation=open_consultation,
        step=Step.LEGALITY_REVIEW,
        status=StepStatus.DONE,
        date=open_consultation.closes_at.date(),
        document=review,
    )
    Consultation.objects.filter(pk=open_consultation.pk).update(stage=Stage.DECIDED)
    html = page(client.get(DETAIL))
    assert "决定书" in html and "合法性审查意见" in html
    decided.title = "市政府常务会议决定书"
    decided.save()
    review.title = "司法局合法性审查意见书"
    review.save()
    html = page(client.get(DETAIL))
    assert "市政府常务会议决定书" in html
    assert "司法局合法性审查意见书" in html


def test_unpublished_consultation_is_gone_at_once(open_consultation, client):
    from consultations.tests.two_person import REASON, withdraw

    page(client.get(DETAIL))
    withdraw(open_consultation)  # issue 13: two people take it offline
    gone = client.get(DETAIL)
    # The address says it was withdrawn, with the reason (410), instead of the cached page.
    assert gone.status_code == 410
    assert REASON in gone.content.decode() and 'id="clause-1"' not in gone.content.decode()
    # Its opinion form says the same, for GET and POST; nothing can be sent to it.
    for answer in (client.get(DETAIL + "opinion/"), client.post(DETAIL + "opinion/", {})):
        assert answer.status_code == 410 and REASON in answer.content.decode()


def test_clauses_added_directly_need_a_row_write(open_consultation, client):
    """Documents the contract: rows of a consultation change only through its services or a
    publication, which write the consultation row; a bare write elsewhere is not seen."""
    page(client.get(DETAIL))
    DraftClauseFactory(consultation=open_consultation, text="未经发布的条文")
    assert "未经发布的条文" not in page(client.get(DETAIL))


# Whatever the shortcut cannot vouch for goes to Wagtail -----------------------------------------


def test_view_restriction_on_the_index_page_is_enforced(open_consultation, client):
    page(client.get(DETAIL))
    index = Site.objects.get().root_page.get_children().get(slug="consultations")
    PageViewRestriction.objects.create(
        page=index, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    html = page(client.get(DETAIL))
    assert "垃圾焚烧发电厂选址方案" not in html
    assert 'name="password"' in html


def test_unpublished_index_page_is_not_found(open_consultation, client):
    page(client.get(DETAIL))
    Site.objects.get().root_page.get_children().get(slug="consultations").unpublish()
    assert client.get(DETAIL).status_code == 404


def test_other_two_part_paths_are_wagtails(open_consultation, client):
    assert "receipt" in page(client.get("/consultations/receipt/"))
    assert client.get("/privacy/anything/").status_code == 404
    assert client.get("/consultations/waste-plant").status_code in (301, 302, 404)
    assert client.get("/consultations/no-such-consultation/").status_code == 404


def test_several_sites_leave_the_choice_to_wagtail(open_consultation, client):
    site = Site.objects.get()
    Site.objects.create(hostname="other.example", port=80, root_page=site.root_page)
    page(client.get(DETAIL))
    with CaptureQueriesContext(connection) as queries:
        html = page(client.get(DETAIL))
    assert len(queries) > 1  # Wagtail's routing ran
    assert "垃圾焚烧发电厂选址方案" in html
    assert 'href="/consultations/waste-plant/opinion/"' in html


def test_another_serve_hook_turns_the_shortcut_off(open_consultation, client):
    def closed_for_maintenance(page, request, args, kwargs):
        return HttpResponse("maintenance", status=503)

    page(client.get(DETAIL))
    with hooks.register_temporarily("before_serve_page", closed_for_maintenance):
        response = client.get(DETAIL)
    assert response.status_code == 503


def test_post_is_left_to_wagtail(open_consultation, client, wagtail_routing):
    fast = client.post(DETAIL, {})
    wagtail_routing()
    routed = client.post(DETAIL, {})
    assert fast.status_code == routed.status_code
