"""Reading an import file: CSV (UTF-8 or GB18030) or XLSX, with a header row, into rows keyed
by the normalised column name. Used by ``feedback.intake.bulk_import``."""

from __future__ import annotations

import csv
import io
import re

from django.utils.translation import gettext as _

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
HEADER_ALIASES = {
    "渠道": "channel",
    "收到日期": "date_received",
    "总体态度": "stance",
    "利害关系": "affected_status",
    "意见": "comment",
    "总体意见": "comment",
    "电子邮箱": "email",
    "手机": "phone",
    "同意引用": "quote_consent",
}


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, size, header)."""


def read_table(name: str, content: bytes) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8 or GB18030) or XLSX file as dicts keyed by normalised header."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB. Please split it."))
    if name.lower().endswith(".xlsx"):
        table = _read_xlsx(content)
    elif name.lower().endswith(".csv"):
        table = _read_csv(content)
    else:
        raise ImportFileError(_("Please upload a .csv or .xlsx file."))
    if not table:
        raise ImportFileError(_("The file is empty."))
    header = [_normalise_header(h) for h in table[0]]
    rows = []
    for cells in table[1:]:
        values = ["" if c is None else str(c).strip() for c in cells]
        if not any(values):
            rows.append({})
            continue
        rows.append(dict(zip(header, values, strict=False)))
    while rows and not rows[-1]:
        rows.pop()
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("The file has more than 5,000 rows. Please split it."))
    return rows


def _read_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError(_("The file is neither UTF-8 nor GB18030 text."))
    return list(csv.reader(io.StringIO(text)))


def _read_xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError(_("The spreadsheet could not be read.")) from exc
    sheet = workbook.worksheets[0]
    table = []
    for row in sheet.iter_rows(values_only=True):
        table.append([_cell_text(c) for c in row])
        if len(table) > MAX_ROWS + 1:
            break
    workbook.close()
    return table


def _cell_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _normalise_header(raw) -> str:
    text = str(raw or "").strip()
    if text in HEADER_ALIASES:
        return HEADER_ALIASES[text]
    return re.sub(r"[\s\-]+", "_", text.lower())
