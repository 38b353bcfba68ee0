"""Reading an import file: CSV (UTF-8 or GB18030) or XLSX, with a header row, into rows keyed
by the normalised column name. Used by ``feedback.intake.bulk_import``.

Every limit is checked before the work it bounds (issue 13, point 7), and every refusal says
which limit and the file's own figure (``ImportFileError``, in the reader's language):

- the file's size (``MAX_BYTES``), from the request's Content-Length before the upload is
  read (``offline_views``), and again from the stored file;
- for an XLSX (a ZIP archive), from its directory alone, before anything is unpacked: the
  number of parts, their total unpacked size and each part's compression ratio (a
  "decompression bomb" is a tiny file that unpacks to gigabytes). Python's ``zipfile`` never
  unpacks more than a part's declared size, so the declared sizes bound what parsing reads;
- the worksheets are then scanned as a stream for rows with too many cells, before
  openpyxl (which builds each row whole) reads them;
- rows (``MAX_ROWS``) and columns (``MAX_COLUMNS``), counted while reading, row by row
  (openpyxl ``read_only`` and ``iter_rows(values_only=True)``), never holding the sheet.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 500
# Blank rows read past the row limit before the file counts as too long (a sheet may declare
# a last row of 1,048,576 with nothing in between).
MAX_BLANK_TAIL = 10_000
XLSX_MAX_MEMBERS = 200
XLSX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
XLSX_MAX_RATIO = 100
XLSX_RATIO_FLOOR = 1024 * 1024  # parts smaller than this unpacked are not checked for ratio
SCAN_CHUNK = 1024 * 1024

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

MESSAGES = {
    "format": _("Please upload a .csv or .xlsx file."),
    "empty": _("The file is empty."),
    "encoding": _("The file is neither UTF-8 nor GB18030 text."),
    "unreadable": _("The spreadsheet could not be read."),
    "too_large": _(
        "The file is %(size)s; the limit is %(limit)s. It was refused before it was read. "
        "Please split it."
    ),
    "not_zip": _(
        "The file is not a valid XLSX spreadsheet (an XLSX file is a ZIP archive). It was not "
        "opened."
    ),
    "members": _(
        "The spreadsheet holds %(count)s parts; at most %(limit)s are accepted. It was refused "
        "before it was opened."
    ),
    "unpacked": _(
        "Unpacked, the spreadsheet would be %(size)s; at most %(limit)s are accepted. It was "
        "refused before it was opened. Please split it."
    ),
    "ratio": _(
        "A part of the spreadsheet (%(member)s) unpacks to %(ratio)s times its packed size; at "
        "most %(limit)s times is accepted, so the file looks like a compression bomb. It was "
        "refused before it was opened."
    ),
    "wide_row": _(
        "Row %(row)s of the spreadsheet has more than %(limit)s cells. It was refused before "
        "it was read. Please remove the extra columns."
    ),
    "rows": _(
        "The file has more than %(limit)s rows (reading stopped at row %(row)s). Please split "
        "it into files of at most %(limit)s rows."
    ),
    "columns": _(
        "The file has more than %(limit)s columns (row %(row)s). Please remove the extra columns."
    ),
    "gone": _(
        "The uploaded file is no longer on the server (it may have been restarted). Nothing "
        "was imported. Please upload it again."
    ),
    "crashed": _(
        "The import stopped because of an error on the server. Nothing was imported. Please "
        "upload the file again; the error has been recorded."
    ),
    "answered": _(
        "The response to this consultation has been published, so offline opinions can no "
        "longer be added to it."
    ),
}
SIZE_PARAMS = ("size", "limit")  # shown as file sizes for these codes
SIZE_CODES = ("too_large", "unpacked")


class ImportFileError(Exception):
    """The file as a whole cannot be read: a code and its figures, the message in the active
    language (the worker stores the code and figures; the page shows them to the clerk)."""

    def __init__(self, code: str, **params):
        self.code = code if code in MESSAGES else "unreadable"
        self.params = params
        super().__init__(code)

    def __str__(self) -> str:
        return message_for(self.code, self.params)


def message_for(code: str, params: dict) -> str:
    params = dict(params or {})
    if code in SIZE_CODES:
        for name in SIZE_PARAMS:
            if isinstance(params.get(name), int):
                params[name] = filesizeformat(params[name])
    for name, value in params.items():
        if isinstance(value, int) and not isinstance(value, bool):
            params[name] = f"{value:,}"
    try:
        return str(MESSAGES.get(code, MESSAGES["unreadable"])) % params
    except (KeyError, TypeError, ValueError):
        return str(MESSAGES["unreadable"])


def file_format(name: str) -> str:
    """ "csv" or "xlsx" from the file name, else ImportFileError."""
    lowered = name.lower()
    for fmt in ("csv", "xlsx"):
        if lowered.endswith("." + fmt):
            return fmt
    raise ImportFileError("format")


def check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise ImportFileError("too_large", size=size, limit=MAX_BYTES)


def check_xlsx_archive(source) -> None:
    """Refuse an XLSX from its ZIP directory alone (nothing is unpacked): too many parts, too
    large unpacked, or a part compressed beyond ``XLSX_MAX_RATIO``."""
    try:
        with zipfile.ZipFile(_binary(source)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportFileError("not_zip") from exc
    if len(members) > XLSX_MAX_MEMBERS:
        raise ImportFileError("members", count=len(members), limit=XLSX_MAX_MEMBERS)
    total = sum(m.file_size for m in members)
    if total > XLSX_MAX_UNCOMPRESSED:
        raise ImportFileError("unpacked", size=total, limit=XLSX_MAX_UNCOMPRESSED)
    for member in members:
        if member.file_size < XLSX_RATIO_FLOOR:
            continue
        ratio = member.file_size / max(1, member.compress_size)
        if ratio > XLSX_MAX_RATIO:
            raise ImportFileError(
                "ratio", member=member.filename[:80], ratio=int(ratio), limit=XLSX_MAX_RATIO
            )


_TOKEN = re.compile(rb"<(?:\w+:)?(row|c)[\s>/]")


def check_xlsx_rows(source) -> None:
    """Scan each worksheet as a stream (one chunk at a time) for a row with more than
    ``MAX_COLUMNS`` cells or far too many rows, before openpyxl builds rows whole."""
    with zipfile.ZipFile(_binary(source)) as archive:
        for member in archive.infolist():
            if not re.match(r"xl/worksheets/[^/]+\.xml$", member.filename):
                continue
            with archive.open(member) as stream:
                _scan_sheet(stream)


def _scan_sheet(stream) -> None:
    rows = cells = 0
    tail = b""
    while chunk := stream.read(SCAN_CHUNK):
        data = tail + chunk
        # Tokens are short: keep the end of the chunk that could hold a cut one.
        cut = max(0, len(data) - 16)
        for match in _TOKEN.finditer(data, 0, cut):
            if match.group(1) == b"row":
                rows, cells = rows + 1, 0
                if rows > MAX_ROWS + 1 + MAX_BLANK_TAIL:
                    raise ImportFileError("rows", limit=MAX_ROWS, row=rows)
            else:
                cells += 1
                if cells > MAX_COLUMNS + 1:
                    raise ImportFileError("wide_row", row=rows, limit=MAX_COLUMNS)
        tail = data[cut:]


def _binary(source):
    return io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source


def _size(source) -> int:
    if isinstance(source, (bytes, bytearray)):
        return len(source)
    return Path(source).stat().st_size


def iter_table(name: str, source) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as the clerk sees it, the row keyed by normalised header) for each
    non-blank data row of a CSV or XLSX file (``source``: bytes or a path). Raises
    ImportFileError for the file as a whole, also in the middle: consume it whole before
    acting on the rows."""
    fmt = file_format(name)
    check_size(_size(source))
    if fmt == "xlsx":
        check_xlsx_archive(source)
        check_xlsx_rows(source)
        cells = _xlsx_cells(source)
    else:
        cells = _csv_cells(source)
    header = None
    for number, values in enumerate(cells, start=1):
        if len(values) > MAX_COLUMNS and any(values[MAX_COLUMNS:]):
            raise ImportFileError("columns", limit=MAX_COLUMNS, row=number)
        if header is None:
            header = [_normalise_header(h) for h in values]
            continue
        if not any(values):
            if number > MAX_ROWS + 1 + MAX_BLANK_TAIL:
                raise ImportFileError("rows", limit=MAX_ROWS, row=number)
            continue
        if number > MAX_ROWS + 1:
            raise ImportFileError("rows", limit=MAX_ROWS, row=number)
        yield number, {h: v for h, v in zip(header, values, strict=False) if h}
    if header is None:
        raise ImportFileError("empty")


def read_table(name: str, content) -> list[dict[str, str]]:
    """Rows of a CSV or XLSX file as dicts keyed by normalised header (blank rows inside the
    table kept as empty dicts, as a spreadsheet numbers them)."""
    rows: list[dict[str, str]] = []
    for number, row in iter_table(name, content):
        rows.extend({} for _blank in range(number - 2 - len(rows)))
        rows.append(row)
    return rows


def _csv_cells(source) -> Iterator[list[str]]:
    content = source if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("encoding")
    del content
    for row in csv.reader(io.StringIO(text)):
        yield [c.strip() for c in row]


def _xlsx_cells(source) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    # A file object: openpyxl judges a path by its suffix, and stored uploads have none.
    stream = _binary(source) if isinstance(source, (bytes, bytearray)) else open(source, "rb")  # noqa: SIM115
    with stream:
        try:
            workbook = load_workbook(stream, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise ImportFileError("unreadable") from exc
        try:
            sheet = workbook.worksheets[0]
            for row in sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True):
                yield [_cell_text(c).strip() for c in row]
        except ImportFileError:
            raise
        except Exception as exc:  # a part that is not what it says
            raise ImportFileError("unreadable") from exc
        finally:
            workbook.close()


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


# A header is read up to its first bracket or colon: the template names each column by its key
# and then, in brackets, what it is (``question_2（您对补偿标准有何意见？）``, import_template).
_HEADER_END = re.compile(r"[（(:：]")


def _normalise_header(raw) -> str:
    text = str(raw or "").strip().lstrip("\ufeff")
    if text in HEADER_ALIASES:
        return HEADER_ALIASES[text]
    text = _HEADER_END.split(text, maxsplit=1)[0].strip() or text
    if text in HEADER_ALIASES:
        return HEADER_ALIASES[text]
    return re.sub(r"[\s\-]+", "_", text.lower())
