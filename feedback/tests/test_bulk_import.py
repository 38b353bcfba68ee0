"""Bulk import of paper forms: a report of every row error, then import with receipts."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.models import Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client, open_consultation):
    user = UserFactory.with_role(Role.INTAKE_CLERK, open_consultation.department)
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


def _xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _counts(html: str) -> dict[str, int]:
    """The new / already imported / invalid counts the clerk sees."""
    return {k: int(v) for k, v in re.findall(r'data-count="(\w+)">(\d+)<', html)}


def _row_statuses(html: str) -> dict[int, tuple[str, str]]:
    """Row number -> (status, receipt code) from the upload page's table of receipt codes."""
    pattern = r'data-row-status="(\w+)"><td>(\d+)</td><td[^>]*>([0-9A-Z-]+)<'
    return {int(n): (status, code) for status, n, code in re.findall(pattern, html)}


def _upload(client, consultation, content: bytes, name: str, **extra):
    """Upload a file; an import ends on the upload's own page (followed here)."""
    return client.post(
        f"/admin/intake/{consultation.pk}/import/",
        {"file": SimpleUploadedFile(name, content), **extra},
        follow=True,
    )


def test_one_upload_imports_the_valid_rows_and_reports_the_others(client, clerk, open_consultation):
    # Issue 15: no second upload (nor a box to tick) to import the valid rows.
    response = _upload(client, open_consultation, _csv(_rows()), "forms.csv")
    assert response.status_code == 200
    html = response.content.decode()
    assert _counts(html) == {"new": 2, "already": 0, "invalid": 1}
    assert Submission.objects.count() == 2
    # The invalid row is listed with its row number, column and reason.
    assert 'data-problem-row="4"' in html
    for column in ("channel", "date_received", "stance", "comment", "phone"):
        assert f"<td>{column}</td>" in html
    assert not re.search(r'data-problem-row="[23]"', html)


def test_file_without_a_valid_row_imports_nothing_and_lists_every_problem(
    client, clerk, open_consultation
):
    rows = _rows()
    response = _upload(client, open_consultation, _csv([rows[0], rows[3]]), "forms.csv")
    assert response.status_code == 400
    assert 'data-problem-row="2"' in response.content.decode()
    assert Submission.objects.count() == 0


def test_confirmed_import_stores_valid_rows_with_receipts_once(client, clerk, open_consultation):
    content = _csv(_rows())
    response = _upload(client, open_consultation, content, "forms.csv")
    assert response.status_code == 200
    letter, call = Submission.objects.order_by("pk")
    assert (letter.channel, letter.stance, letter.has_contact) == ("letter", "oppose", True)
    multiple = open_consultation.questions.order_by("sort_order")[1]
    assert letter.answers.get(question=multiple).options == [1, 3]
    assert call.clause_comments.get().text == "第一条很好"
    html = response.content.decode()
    assert letter.formatted_receipt in html and call.formatted_receipt in html
    assert _counts(html) == {"new": 2, "already": 0, "invalid": 1}
    # The same file again stores nothing twice.
    _upload(client, open_consultation, content, "forms.csv")
    assert Submission.objects.count() == 2


def test_valid_xlsx_is_imported_without_confirmation(client, clerk, open_consultation):
    response = _upload(client, open_consultation, _xlsx(_rows()[:3]), "forms.xlsx")
    assert response.status_code == 200
    assert Submission.objects.count() == 2


def test_unreadable_file_is_a_clear_error(client, clerk, open_consultation):
    response = _upload(client, open_consultation, b"\x00\x01garbage", "forms.xlsx")
    assert response.status_code == 400
    assert Submission.objects.count() == 0


def test_same_file_again_is_counted_as_already_imported_without_receipt_codes(
    client, clerk, open_consultation
):
    content = _csv(_rows()[:3])
    first = _upload(client, open_consultation, content, "forms.csv")
    assert first.status_code == 200
    letter, call = Submission.objects.order_by("pk")
    assert _row_statuses(first.content.decode()) == {
        2: ("new", letter.formatted_receipt),
        3: ("new", call.formatted_receipt),
    }
    again = _upload(client, open_consultation, content, "forms-again.csv")
    assert again.status_code == 200
    html = again.content.decode()
    assert Submission.objects.count() == 2
    assert _counts(html) == {"new": 0, "already": 2, "invalid": 0}
    # Issue 12, point 5: no receipt code of an earlier upload's rows, nothing per row; only a
    # link to the clerk's own earlier upload, whose page holds the codes.
    assert _row_statuses(html) == {}
    assert letter.formatted_receipt not in html and call.formatted_receipt not in html
    assert "data-earlier-uploads" in html


def test_validation_report_counts_new_already_imported_and_invalid_rows(
    client, clerk, open_consultation
):
    _upload(client, open_consultation, _csv(_rows()[:2]), "first.csv")
    letter = Submission.objects.get()
    response = _upload(client, open_consultation, _csv(_rows()), "forms.csv")
    assert response.status_code == 200  # the new valid row is imported, the invalid reported
    html = response.content.decode()
    assert _counts(html) == {"new": 1, "already": 1, "invalid": 1}
    assert letter.formatted_receipt not in html  # issue 12: was shown for the "already" row
    assert Submission.objects.count() == 2


def test_reupload_after_correcting_the_invalid_row_imports_only_that_row(
    client, clerk, open_consultation
):
    rows = _rows()
    _upload(client, open_consultation, _csv(rows), "forms.csv")
    first = {s.pk for s in Submission.objects.all()}
    assert len(first) == 2
    today = timezone.localdate().isoformat()
    rows[3] = ["来访", today, "不确定", "x" * 50, "13900001111", "", ""]
    response = _upload(client, open_consultation, _csv(rows), "forms-corrected.csv")
    assert response.status_code == 200
    assert _counts(response.content.decode()) == {"new": 1, "already": 2, "invalid": 0}
    added = Submission.objects.exclude(pk__in=first).get()
    assert (added.channel, added.stance, added.comment) == ("walk_in", "unsure", "x" * 50)
    assert Submission.objects.count() == 3


def test_csv_then_xlsx_of_the_same_rows_in_another_order_imports_nothing(
    client, clerk, open_consultation
):
    header, letter, call = _rows()[:3]
    _upload(client, open_consultation, _csv([header, letter, call]), "forms.csv")
    stored = {s.formatted_receipt for s in Submission.objects.all()}
    assert len(stored) == 2
    # The XLSX has the rows the other way round, a real date cell, the phone number as a
    # number, English labels instead of Chinese ones and other spacing: the same content.
    today = timezone.localdate()
    xlsx_call = [
        "phone",
        datetime.datetime.combine(today, datetime.time()),
        "Support",
        "",
        "",
        " 第一条很好 ",
        "",
    ]
    xlsx_letter = ["letter", today.isoformat(), "oppose", "不同意选址", 13812345678, "", "丙、甲"]
    content = _xlsx([header, xlsx_call, xlsx_letter])
    response = _upload(client, open_consultation, content, "forms.xlsx")
    assert response.status_code == 200
    html = response.content.decode()
    assert _counts(html) == {"new": 0, "already": 2, "invalid": 0}
    assert not any(code in html for code in stored)  # issue 12: were shown again here
    assert Submission.objects.count() == 2


def test_identical_rows_in_one_file_are_separate_opinions_imported_once(
    client, clerk, open_consultation
):
    header, letter = _rows()[:2]
    content = _csv([header, letter, letter])
    response = _upload(client, open_consultation, content, "forms.csv")
    assert response.status_code == 200
    assert _counts(response.content.decode()) == {"new": 2, "already": 0, "invalid": 0}
    receipts = set(Submission.objects.values_list("receipt", flat=True))
    assert len(receipts) == 2
    again = _upload(client, open_consultation, content, "forms.csv")
    assert _counts(again.content.decode()) == {"new": 0, "already": 2, "invalid": 0}
    assert Submission.objects.count() == 2
    # A third copy of the same paper form is a third opinion; the first two are known.
    third = _upload(client, open_consultation, _csv([header, letter, letter, letter]), "f.csv")
    assert _counts(third.content.decode()) == {"new": 1, "already": 2, "invalid": 0}
    assert Submission.objects.count() == 3


def test_rows_differing_only_in_contact_are_different_opinions(client, clerk, open_consultation):
    header, letter = _rows()[:2]
    other = [*letter[:4], "13900001111", *letter[5:]]
    _upload(client, open_consultation, _csv([header, letter]), "a.csv")
    response = _upload(client, open_consultation, _csv([header, other, letter]), "b.csv")
    assert _counts(response.content.decode()) == {"new": 1, "already": 1, "invalid": 0}
    assert Submission.objects.count() == 2


def test_the_row_token_does_not_reveal_the_content_without_the_secret_key(
    open_consultation, settings
):
    from feedback.intake.bulk_import import row_token

    token = row_token(open_consultation, '{"contact_phone":"13812345678"}', 1)
    settings.SECRET_KEY = "another-key"
    assert row_token(open_consultation, '{"contact_phone":"13812345678"}', 1) != token
