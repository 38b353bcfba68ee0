"""Issue 15, intake: the date received defaults to today in a form a date input can show, the
status column speaks words, each consultation has a CSV and XLSX import template naming its
questions that imports as it is, and a government office's published number is not flagged
as personal data."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from openpyxl import load_workbook

from consultations.models import Consultation
from consultations.roles import Role
from consultations.tests.factories import DepartmentFactory, UserFactory
from feedback.intake.services import OpinionData, submission_create
from feedback.models import Submission
from feedback.review.flags import flags_refresh, kinds_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client, open_consultation):
    user = UserFactory.with_role(Role.INTAKE_CLERK, open_consultation.department)
    client.force_login(user)
    return user


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_date_received_defaults_to_today_as_an_iso_date(client, clerk, open_consultation, language):
    html = client.get(
        f"/admin/intake/{open_consultation.pk}/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    field = re.search(r'<input type="date" name="submitted_on"[^>]*>', html).group(0)
    assert f'value="{timezone.localdate().isoformat()}"' in field  # never 2026/12/06


def test_status_column_shows_words_not_codes(client, clerk, open_consultation):
    html = client.get("/admin/intake/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with translation.override("en"):
        words = str(Consultation.Status.OPEN.label)
    assert f"<td>{words}</td>" in html
    assert "<td>open</td>" not in html
    zh = client.get("/admin/intake/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    with translation.override("zh-hans"):
        assert f"<td>{Consultation.Status.OPEN.label}</td>" in zh


def _csv_template(client, consultation) -> list[str]:
    response = client.get(f"/admin/intake/{consultation.pk}/import/template.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith("\ufeff".encode())  # opens in Excel as UTF-8
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_import_page_links_to_both_templates(client, clerk, open_consultation):
    html = client.get(f"/admin/intake/{open_consultation.pk}/import/").content.decode()
    assert f"/admin/intake/{open_consultation.pk}/import/template.csv" in html
    assert f"/admin/intake/{open_consultation.pk}/import/template.xlsx" in html


def test_csv_template_names_every_question_and_imports_as_it_is(client, clerk, open_consultation):
    header = _csv_template(client, open_consultation)
    questions = list(open_consultation.questions.order_by("sort_order", "pk"))
    for n, question in enumerate(questions, 1):
        assert any(h.startswith(f"question_{n}（") and question.text[:20] in h for h in header)
    assert any(h.startswith("clause_1（") for h in header)
    assert header[:2] == [h for h in header if h.startswith(("channel", "date_received"))]
    # The clerk fills in one row under the template's own header and uploads it.
    values = {
        "channel": "来信",
        "date_received": timezone.localdate().isoformat(),
        "stance": "反对",
        "comment": "模板导入的意见",
        "question_1": "同意",
        "question_2": "甲、丙",
        "clause_1": "第一条的意见",
    }
    row = [values.get(re.split(r"[（(]", h)[0], "") for h in header]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, row])
    response = client.post(
        f"/admin/intake/{open_consultation.pk}/import/",
        {"file": SimpleUploadedFile("filled.csv", ("\ufeff" + buffer.getvalue()).encode())},
        follow=True,
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    stored = Submission.objects.get()
    assert stored.comment == "模板导入的意见" and stored.channel == "letter"
    assert stored.answers.get(question=questions[1]).options == [1, 3]
    assert stored.clause_comments.get().text == "第一条的意见"


def test_xlsx_template_has_the_header_and_a_sheet_of_accepted_values(
    client, clerk, open_consultation
):
    response = client.get(f"/admin/intake/{open_consultation.pk}/import/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    first, notes = workbook.worksheets
    header = [c.value for c in first[1]]
    assert header == _csv_template(client, open_consultation)
    rows = {r[0]: r for r in notes.iter_rows(min_row=2, values_only=True)}
    single = open_consultation.questions.order_by("sort_order", "pk")[0]
    assert "同意" in rows["question_1"][2] and single.text in rows["question_1"][1]
    assert "反对" in rows["stance"][2] or "oppose" in rows["stance"][2].lower()


def test_template_of_another_departments_consultation_is_refused(client, open_consultation):
    other = UserFactory.with_role(Role.INTAKE_CLERK, DepartmentFactory())
    client.force_login(other)
    response = client.get(f"/admin/intake/{open_consultation.pk}/import/template.csv")
    assert response.status_code == 403
    assert b"question_" not in response.content
    assert client.get(f"/admin/intake/{open_consultation.pk}/import/template.exe").status_code in (
        403,
        404,
    )


def _opinion(consultation, text: str) -> Submission:
    submission, _ = submission_create(
        consultation=consultation, data=OpinionData(comment=text), token=uuid.uuid4()
    )
    return submission


def test_a_government_offices_published_number_is_not_flagged(open_consultation):
    department = open_consultation.department
    department.phone = "0999-88776655"
    department.save()
    Consultation.objects.filter(pk=open_consultation.pk).update(
        contact_phone="0999-12345601（工作日）；12345政务服务便民热线"
    )
    quoted = [
        _opinion(open_consultation, "我打了0999-12345601，工作日也没人接。"),
        _opinion(open_consultation, "打12345601问过，说还在论证。"),
        _opinion(open_consultation, "拨打0999-12345热线投诉过三次。"),
        _opinion(open_consultation, "环保局电话0999 8877 6655一直占线。"),
    ]
    personal = [
        _opinion(open_consultation, "请打我手机13812345678回复。"),
        _opinion(open_consultation, "我家电话0999-87654321，欢迎来访。"),
    ]
    flags_refresh(Submission.objects.filter(consultation=open_consultation))
    for s in quoted:
        s.refresh_from_db()
        assert kinds_of(s.personal_data) == [], s.comment
    for s in personal:
        s.refresh_from_db()
        assert kinds_of(s.personal_data) == ["phone"], s.comment
