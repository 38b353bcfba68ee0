"""Exports: de-identified, masked, streamed; XLSX through a task with progress."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from feedback import exports
from feedback.analysis import aggregates
from feedback.models import StaffJob, Submission
from feedback.tests._analysis_data import EMAIL, PHONE, build_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(open_consultation):
    return build_register(open_consultation)


def _forbidden(register) -> list[str]:
    """Strings that must never appear in an export: receipts and contact data."""
    receipts = list(Submission.objects.values_list("receipt", flat=True))
    formatted = [s.formatted_receipt for s in Submission.objects.all()]
    return [*receipts, *formatted, PHONE, EMAIL, register["contact"].ref]


def _csv_text(consultation) -> str:
    body = b"".join(
        exports.csv_stream(exports.register_header(), exports.iter_register_rows(consultation))
    )
    return body.decode("utf-8")


def test_register_csv_has_one_row_per_opinion_and_no_personal_data(open_consultation, register):
    text = _csv_text(open_consultation)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1 + 7  # withdrawn and hidden opinions included
    for needle in _forbidden(register):
        assert needle not in text, needle
    by_id = {row[0]: row for row in rows[1:]}
    first = by_id[exports.pseudonym(register["s"][1].pk)]
    assert first[8].startswith("离家太近") and PHONE not in first[8]  # masked
    assert "健康" in first[10] and "选址" in first[10]
    assert first[3] == "2026-03-02"  # day in Asia/Shanghai, no time
    letter = by_id[exports.pseudonym(register["s"][5].pk)]
    assert letter[3] == "2026-02-28"
    formula = by_id[exports.pseudonym(register["s"][3].pk)]
    assert formula[8].startswith("'=")  # formula injection neutralised
    answers = by_id[exports.pseudonym(register["s"][2].pk)][7]
    assert "不同意" in answers  # option index 2 written as its label
    withdrawn = by_id[exports.pseudonym(register["s"][6].pk)]
    assert withdrawn[13] in ("是", "yes")


def test_pseudonym_is_stable_and_not_the_id_or_receipt(register):
    sub = register["s"][1]
    assert exports.pseudonym(sub.pk) == exports.pseudonym(sub.pk)
    assert exports.pseudonym(sub.pk) != exports.pseudonym(register["s"][2].pk)
    assert str(sub.pk) not in exports.pseudonym(sub.pk)[1:3] or len(exports.pseudonym(sub.pk)) == 12
    assert sub.receipt not in exports.pseudonym(sub.pk)


def test_register_rows_are_read_in_chunks(open_consultation, register):
    seen = []
    rows = list(exports.iter_register_rows(open_consultation, chunk_size=3, progress=seen.append))
    assert len(rows) == 7 and seen == [3, 6, 7]


def test_xlsx_writer_is_readable_and_clean(open_consultation, register, tmp_path):
    path = tmp_path / "register.xlsx"
    n = exports.write_xlsx(
        path,
        [("登记册", exports.register_header(), exports.iter_register_rows(open_consultation))],
    )
    assert n == 7
    wb = load_workbook(path, read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert len(rows) == 8 and rows[0][0] == exports.register_header()[0]
    flat = "\n".join(str(v) for row in rows for v in row if v is not None)
    for needle in _forbidden(register):
        assert needle not in flat, needle
    assert "担心二噁英排放影响健康。" in flat


def test_xlsx_escapes_and_strips_illegal_characters(tmp_path):
    path = tmp_path / "x.xlsx"
    exports.write_xlsx(path, [("a", ["h"], [["<b>&\x01 ok"], [42]])])
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert rows[1][0] == "<b>& ok" and rows[2][0] == 42


def test_aggregate_export_applies_suppression(open_consultation, register):
    data = aggregates.dashboard(open_consultation, suppressed=True)
    rows = list(exports.iter_aggregate_rows(data))
    text = "\n".join(",".join(str(c) for c in row) for row in rows)
    assert "<5" in text
    stance_rows = [r for r in rows if r[0] == data["stance"].title]
    assert {r[3] for r in stance_rows} <= {"<5", 0}
    exact = list(exports.iter_aggregate_rows(aggregates.dashboard(open_consultation)))
    oppose = data["stance"].items[2].label
    assert [r[3] for r in exact if r[0] == data["stance"].title and r[1] == oppose] == [2]


def test_export_task_records_progress_and_writes_the_file(open_consultation, register):
    job = StaffJob.objects.create(
        kind=exports.EXPORT_KIND,
        consultation=open_consultation,
        requested_by=register["analyst"],
        params={"scope": "register", "format": "xlsx", "suppressed": False},
    )
    exports.run_export.enqueue(job.pk)  # ImmediateBackend in tests: runs now
    job.refresh_from_db()
    assert job.status == StaffJob.Status.DONE
    assert (job.done, job.total, job.percent) == (7, 7, 100)
    rows = list(load_workbook(job.result_file, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 8
    assert str(exports.export_dir()) in job.result_file


@pytest.mark.parametrize(
    "text",
    [
        "电话13812345678",
        "手机 138 1234 5678 谢谢",
        "１３８１２３４５６７８",
        "座机（010）6512 3456 转 123",
        "电话 8888 8888",
        "邮箱 someone@example.com",
        "邮箱 someone ＠ example。com",
        "身份证110101199003077777",
        "QQ号 12345",
        "微信号：abc_defg",
        "WeChat: Zhang_san88",
        "没有任何联系方式，只有2024年和3公里。",
        "",
    ],
)
def test_the_quick_precheck_never_skips_what_masking_finds(text):
    from feedback.masking import mask_text

    assert exports._masker()(text) == mask_text(text)
