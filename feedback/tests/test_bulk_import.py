"""Bulk import of paper forms: a report of every row error, then import with receipts."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client):
    user = UserFactory.with_role(Role.INTAKE_CLERK)
    client.force_login(user)
    return user


def _csv(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode("utf-8")


def _rows() -> list[list[str]]:
    today = timezone.localdate().isoformat()
    return [
        ["渠道", "收到日期", "总体态度", "意见", "手机", "clause_1", "question_2"],
        ["来信", today, "反对", "不同意选址", "13812345678", "", "甲、丙"],
        ["phone", today, "support", "", "", "第一条很好", ""],
        ["pigeon", "2001-01-01", "maybe", "x" * 5001, "123", "", ""],
    ]


def _upload(client, consultation, content: bytes, name: str, **extra):
    return client.post(
        f"/admin/intake/{consultation.pk}/import/",
        {"file": SimpleUploadedFile(name, content), **extra},
    )


def test_file_with_an_invalid_row_is_reported_and_nothing_imported(
    client, clerk, open_consultation
):
    response = _upload(client, open_consultation, _csv(_rows()), "forms.csv")
    assert response.status_code == 400
    html = response.content.decode()
    for column in ("channel", "date_received", "stance", "comment", "phone"):
        assert f"<td>{column}</td>" in html
    assert Submission.objects.count() == 0


def test_confirmed_import_stores_valid_rows_with_receipts_once(client, clerk, open_consultation):
    content = _csv(_rows())
    response = _upload(client, open_consultation, content, "forms.csv", import_valid_rows="on")
    assert response.status_code == 200
    letter, call = Submission.objects.order_by("pk")
    assert (letter.channel, letter.stance, letter.has_contact) == ("letter", "oppose", True)
    multiple = open_consultation.questions.order_by("sort_order")[1]
    assert letter.answers.get(question=multiple).options == [1, 3]
    assert call.clause_comments.get().text == "第一条很好"
    html = response.content.decode()
    assert letter.formatted_receipt in html and call.formatted_receipt in html
    # The same file again stores nothing twice.
    _upload(client, open_consultation, content, "forms.csv", import_valid_rows="on")
    assert Submission.objects.count() == 2


def test_valid_xlsx_is_imported_without_confirmation(client, clerk, open_consultation):
    workbook = Workbook()
    sheet = workbook.active
    for row in _rows()[:3]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = _upload(client, open_consultation, buffer.getvalue(), "forms.xlsx")
    assert response.status_code == 200
    assert Submission.objects.count() == 2


def test_unreadable_file_is_a_clear_error(client, clerk, open_consultation):
    response = _upload(client, open_consultation, b"\x00\x01garbage", "forms.xlsx")
    assert response.status_code == 400
    assert Submission.objects.count() == 0
