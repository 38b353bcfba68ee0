"""The 稳评 public-opinion chapter (issue 16 point 4): aggregates only, the dashboard's
suppression in both files, campaigns stated as copies, adoption by theme, risk permissions."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.roles import Role
from consultations.tests.factories import UserFactory, published_consultation
from feedback.intake.services import OpinionData, submission_create
from feedback.models import AffectedStatus, AuditAction, AuditEntry, Channel, Stance
from feedback.risk.selectors import dashboard
from feedback.risk_chapter.chapter import build_chapter
from feedback.risk_chapter.document import Table, docx_text, pdf_text, to_docx, to_pdf
from feedback.tests._chapter_world import published_world, record_level_strings

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(consultation_index):
    return published_world()


def letter(consultation, **fields):
    """An opinion received by letter during the (now closed) period."""
    submission, _created = submission_create(
        consultation=consultation,
        data=OpinionData(**fields),
        token=uuid.uuid4(),
        channel=Channel.LETTER,
        submitted_on=timezone.localdate(consultation.closes_at) - timedelta(days=2),
    )
    return submission


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_neither_file_contains_a_text_receipt_or_contact(world):
    c = world.consultation
    document = build_chapter(c)
    in_pdf = _flat(pdf_text(document))
    in_docx = _flat(docx_text(to_docx(document)))
    assert "各方面意见及其采纳情况" in in_pdf and "各方面意见及其采纳情况" in in_docx
    secrets = record_level_strings(c) + [world.editor.username]
    for secret in secrets:
        assert _flat(secret) not in in_pdf, secret
        assert _flat(secret) not in in_docx, secret
    pdf = to_pdf(document, options={"pdf_variant": "pdf/ua-1", "pdf_tags": True})
    assert pdf.startswith(b"%PDF")
    for secret in secrets:  # nor in the PDF's metadata
        assert secret.encode() not in pdf


def test_a_small_cell_is_suppressed_in_both_files(world):
    c = world.consultation
    for stance, affected in [
        (Stance.SUPPORT, AffectedStatus.LIVE),
        (Stance.OPPOSE, AffectedStatus.OTHER),
        (Stance.SUPPORT, AffectedStatus.OTHER),
        (Stance.UNSURE, AffectedStatus.WORK),
    ]:
        for i in range(8):
            letter(c, stance=stance, affected_status=affected, comment=f"信件意见{stance}{i}")
    exact = dashboard(c, exact=True)
    (everything,) = [t for t in exact["tables"] if t.theme is None]
    live = {a: cells for a, cells, _total in everything.rows}[AffectedStatus.LIVE]
    oppose = exact["stance_columns"].index(Stance.OPPOSE)
    assert 1 <= live[oppose] <= 4  # a small cell: 1 to 4 opinions

    document = build_chapter(c)
    table = next(b for b in document.blocks if isinstance(b, Table) and "全部意见" in b.caption)
    row = next(r for r in table.rows if r[0] == "区域内居民")
    row_zh = row
    assert row_zh[1 + oppose] == "<5"
    assert str(live[oppose]) not in row_zh[1 + oppose]

    import io

    import docx

    d = docx.Document(io.BytesIO(to_docx(document)))
    rows = [[cell.text for cell in r.cells] for t in d.tables for r in t.rows]
    assert row_zh in rows  # the same row, "<5" and all, in the Word file
    assert _flat("".join(row_zh)) in _flat(pdf_text(document))  # and in the PDF's text


def test_campaign_copies_are_counted_and_named_as_copies(world):
    text = build_chapter(world.consultation).text()
    assert "每一份均作为一件意见计入总数" in text
    assert "副本" in text
    assert "不同文本" in text


def test_adoption_by_theme_comes_from_the_published_response(world):
    text = build_chapter(world.consultation).text()
    assert "环境监测" in text and "补偿标准" in text
    assert "补偿标准由省级文件规定，本方案不作调整。" in text  # the published reason
    assert "未采纳" in text or "不予采纳" in text or "not adopted" not in text


def test_without_a_response_the_chapter_says_so(consultation_index):
    c = published_consultation()
    text = build_chapter(c).text()
    assert "意见采纳情况说明尚未公布" in text
    assert "本事项未举行听证会" in text


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("assessor", True), ("approver", True), ("other_approver", False), ("analyst", False)],
)
def test_who_gets_the_chapter(client, world, who, allowed):
    c = world.consultation
    users = {
        "assessor": lambda: UserFactory.with_role(Role.ASSESSOR),
        "approver": lambda: UserFactory.with_role(Role.APPROVER, department=c.department),
        "other_approver": lambda: UserFactory.with_role(Role.APPROVER),
        "analyst": lambda: UserFactory.with_role(Role.ANALYST, department=c.department),
    }
    client.force_login(users[who]())
    for url in (
        reverse("feedback_risk_chapter:page", args=[c.pk]),
        reverse("feedback_risk_chapter:file", args=[c.pk, "docx"]),
    ):
        response = client.get(url)
        if allowed:
            assert response.status_code == 200
        else:  # Wagtail turns PermissionDenied into a redirect to the admin home
            assert response.status_code in (302, 403)
            assert not response.content.startswith(b"PK")


def test_files_download_and_are_audited(client, world):
    c = world.consultation
    client.force_login(UserFactory.with_role(Role.ASSESSOR))
    before = AuditEntry.objects.filter(action=AuditAction.EXPORT).count()
    pdf = client.get(reverse("feedback_risk_chapter:file", args=[c.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    docx = client.get(reverse("feedback_risk_chapter:file", args=[c.pk, "docx"]))
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert client.get(reverse("feedback_risk_chapter:file", args=[c.pk, "odt"])).status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == before + 2
    page = client.get(reverse("feedback_risk_chapter:page", args=[c.pk]))
    html = page.content.decode()
    for secret in record_level_strings(c):
        assert secret not in html


def test_choose_screen_for_assessors_only(client, world):
    c = world.consultation
    client.force_login(UserFactory.with_role(Role.ASSESSOR))
    html = client.get(reverse("feedback_risk_chapter:choose")).content.decode()
    assert reverse("feedback_risk_chapter:page", args=[c.pk]) in html
    client.force_login(UserFactory.with_role(Role.ANALYST, department=c.department))
    assert client.get(reverse("feedback_risk_chapter:choose")).status_code in (302, 403)
