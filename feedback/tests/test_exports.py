"""Exports: de-identified, masked, streamed; XLSX through a task with progress."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook

from feedback.analysis import aggregates
from feedback.exports import files, xlsx
from feedback.exports import rows as exports
from feedback.models import Channel, StaffJob, Submission
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
    n = xlsx.write_xlsx(
        path,
        [("登记册", exports.register_header(), exports.iter_register_rows(open_consultation))],
    )
    assert n == 7
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["登记册"]
    rows = list(wb.active.iter_rows(values_only=True))
    assert len(rows) == 8 and list(rows[0]) == exports.register_header()
    assert all(len(row) == len(rows[0]) for row in rows)
    flat = "\n".join(str(v) for row in rows for v in row if v is not None)
    for needle in _forbidden(register):
        assert needle not in flat, needle
    by_id = {row[0]: row for row in rows[1:]}
    first = by_id[exports.pseudonym(register["s"][1].pk)]
    assert first[8].startswith("离家太近") and "联系我。" in first[8]  # masked, Chinese intact
    assert first[10] == "健康; 选址"  # themes in their order
    assert first[3] == datetime(2026, 3, 2)  # a real date (Asia/Shanghai day), not text
    letter = by_id[exports.pseudonym(register["s"][5].pk)]
    assert letter[3] == datetime(2026, 2, 28) and letter[2] == str(Channel.LETTER.label)
    assert by_id[exports.pseudonym(register["s"][2].pk)][8] == "担心二噁英排放影响健康。"
    assert by_id[exports.pseudonym(register["s"][3].pk)][8].startswith("'=")
    assert by_id[exports.pseudonym(register["s"][3].pk)][9] == "1: 第一条很好 | 2: 第二条也好"


def test_xlsx_cell_types_escaping_and_illegal_characters(tmp_path):
    path = tmp_path / "x.xlsx"
    rows = [
        ["<b>&\x01 ok", 42, 2.5, date(2026, 3, 2), None, "中文 <i>", ""],
        ["&lt;", -7, True, datetime(2026, 3, 2, 12, 0), "  spaces  ", "=1+1", "a\x02b\x05c"],
    ]
    xlsx.write_xlsx(path, [("a", ["h1", "h2", "h3", "h4", "h5", "h6", "h7"], rows)])
    got = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert got[0] == ("h1", "h2", "h3", "h4", "h5", "h6", "h7")
    assert got[1][:4] == ("<b>& ok", 42, 2.5, datetime(2026, 3, 2))
    assert got[1][4] in (None, "") and got[1][5] == "中文 <i>"
    assert got[2][0] == "&lt;" and got[2][1] == -7 and got[2][2] == "True"
    assert got[2][3] == datetime(2026, 3, 2, 12, 0)
    assert got[2][4] == "  spaces  " and got[2][5] == "=1+1" and got[2][6] == "abc"


@pytest.mark.parametrize("size", [1, 999, 1000, 1001, 2500])
def test_xlsx_batches_keep_every_row_in_order(tmp_path, size):
    path = tmp_path / "n.xlsx"
    rows = ([f"行{i}", i, date(2026, 1, 1) + timedelta(days=i % 300)] for i in range(size))
    assert xlsx.write_xlsx(path, [("s", ["文本", "数", "日"], rows)]) == size
    got = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert len(got) == size + 1
    assert got[-1] == (
        f"行{size - 1}",
        size - 1,
        datetime(2026, 1, 1) + timedelta((size - 1) % 300),
    )


def test_xlsx_aggregates_have_numbers_and_suppressed_cells(open_consultation, register, tmp_path):
    data = aggregates.dashboard(open_consultation, suppressed=True)
    path = tmp_path / "agg.xlsx"
    xlsx.write_xlsx(path, [("汇总", exports.aggregate_header(), exports.iter_aggregate_rows(data))])
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    assert list(rows[0]) == exports.aggregate_header()
    counts = [row[3] for row in rows[1:]]
    assert "<5" in counts and any(isinstance(c, int) and c >= 5 for c in counts)
    assert rows[1][3] == 7  # register totals: received


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
        kind=files.EXPORT_KIND,
        consultation=open_consultation,
        requested_by=register["analyst"],
        params={"scope": "register", "format": "xlsx", "suppressed": False},
    )
    files.run_export.enqueue(job.pk)  # ImmediateBackend in tests: runs now
    job.refresh_from_db()
    assert job.status == StaffJob.Status.DONE
    assert (job.done, job.total, job.percent) == (7, 7, 100)
    rows = list(load_workbook(job.result_file, read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == 8
    assert str(files.export_dir()) in job.result_file


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
    from feedback.privacy.masking import mask_text

    assert exports._masker()(text) == mask_text(text)


def test_xlsx_error_in_rows_propagates_and_stops_the_writer(tmp_path):
    import threading

    def rows():
        yield ["ok"]
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        xlsx.write_xlsx(tmp_path / "e.xlsx", [("s", ["h"], rows())])
    assert not [t for t in threading.enumerate() if t.name == "xlsx-writer"]


def test_parts_of_another_consultation_in_the_id_range_are_left_out(open_consultation, register):
    from consultations.tests.factories import published_consultation
    from feedback.models import ClauseComment, Coding, Theme
    from feedback.tests._analysis_data import make_submission
    from feedback.tests.conftest import ensure_clauses

    other = published_consultation()
    foreign = make_submission(other, channel="web", stance="oppose", comment="别的征求意见")
    other_theme = Theme.objects.create(consultation=other, name="外部主题", sort_order=1)
    Coding.objects.create(submission=foreign, theme=other_theme, coded_by=register["analyst"])
    ClauseComment.objects.create(
        submission=foreign, clause=ensure_clauses(other)[0], text="不应出现的条款意见"
    )
    last = make_submission(open_consultation, channel="web", stance="support", comment="最后")
    assert register["s"][1].pk < foreign.pk < last.pk  # the foreign id is inside the range
    text = _csv_text(open_consultation)
    assert (
        "外部主题" not in text and "不应出现的条款意见" not in text and "别的征求意见" not in text
    )
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1 + 8
