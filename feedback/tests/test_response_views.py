"""Public response page and PDF, the receipt's answer, the officials' screen (R20, R25)."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.utils import translation

from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.models import Coding, Disposition, Submission, ThemeResponse
from feedback.response.counts import register_totals
from feedback.response.selectors import published_response as published
from feedback.response.services import disposition_set, response_publish
from feedback.response.views import pdf_cache_key

from .response_fixtures import build_world
from .test_response import answer_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(consultation_index):
    return build_world()


def page_url(world) -> str:
    return f"/consultations/{world.consultation.slug}/response/"


def publish(world):
    answer_all(world)
    return response_publish(
        user=world.editor,
        consultation=world.consultation,
        summary="感谢各位居民参与。根据意见，修改了第1条。",
        draft_from=world.v1,
        draft_to=world.v2,
    )


def _ints(pattern: str, html: str) -> list[int]:
    return [int(n) for n in re.findall(pattern, html)]


def test_404_before_publication(client, world):
    assert client.get(page_url(world)).status_code == 404
    assert client.get(page_url(world) + "pdf/").status_code == 404


def test_public_page_reconciles_with_the_register(client, world):
    publish(world)
    html = client.get(page_url(world)).content.decode()
    c = world.consultation
    total = Submission.objects.filter(consultation=c).count()
    channel_counts = _ints(r"data-channel-count>(\d+)<", html)
    assert sum(channel_counts) == total == _ints(r'id="total-received">(\d+)<', html)[0]
    assert _ints(r'id="withdrawn-count">(\d+)<', html) == [
        Submission.objects.filter(consultation=c, withdrawn=True).count()
    ]
    assert _ints(r'id="no-theme-count">(\d+)<', html) == [1]
    assert _ints(r'id="campaign-groups">(\d+)<', html) == [1]  # the dismissed one is not shown
    # Opinions per disposition = distinct coded opinions of themes with that disposition.
    for disposition in Disposition.values:
        expected = (
            Coding.objects.filter(theme__consultation=c, theme__response__disposition=disposition)
            .values("submission")
            .distinct()
            .count()
        )
        shown = _ints(rf'data-disposition="{disposition}">(\d+)<', html)
        assert shown == [expected], disposition
    # Per theme: disposition and count.
    assert _ints(r"data-theme-count>(\d+)<", html) == [4, 3]
    assert 'data-theme-disposition="adopted"' in html
    assert "补偿标准由省级文件规定" in html
    # The diff, clause by clause.
    assert "<ins>并每月公开监测数据。</ins>" in html
    assert register_totals(c)["total"] == total


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
    code = world.subs[1].formatted_receipt  # coded under both themes
    url = f"/consultations/receipt/{code}/"
    html = client.get(url).content.decode()
    assert "补偿标准由省级文件规定" not in html
    publish(world)
    html = client.get(url).content.decode()
    assert "环境监测" in html and "补偿标准" in html
    assert "补偿标准由省级文件规定" in html
    no_theme = client.get(f"/consultations/receipt/{world.subs[5].formatted_receipt}/")
    assert "tj-theme-answer" not in no_theme.content.decode()


# --- the officials' screen -----------------------------------------------------------------


def screen(world) -> str:
    return f"/admin/response/{world.consultation.pk}/"


def test_screen_shows_themes_problems_and_forms(client, world):
    client.force_login(world.editor)
    html = client.get(screen(world)).content.decode()
    assert "环境监测" in html and "补偿标准" in html
    assert 'id="problems"' in html and "<li>" in html
    assert f'action="/admin/response/{world.consultation.pk}/publish/"' in html


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
    publish_url = f"/admin/response/{world.consultation.pk}/publish/"
    done = client.post(
        publish_url,
        {
            "summary": "感谢参与。",
            "draft_from": world.v1.pk,
            "draft_to": world.v2.pk,
            "confirm": "on",
        },
    )
    assert done.status_code == 302, done.content.decode()[:3000]
    world.consultation.opinion_response.refresh_from_db()
    assert world.consultation.opinion_response.published_at is not None


def test_publishing_through_the_screen_shows_the_problems(client, world):
    client.force_login(world.editor)
    disposition_set(user=world.editor, theme=world.themes[0], disposition=Disposition.ADOPTED)
    response = client.post(
        f"/admin/response/{world.consultation.pk}/publish/",
        {"summary": "感谢参与。", "confirm": "on"},
    )
    assert response.status_code == 400
    assert "补偿标准" in response.content.decode()
