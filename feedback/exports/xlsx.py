"""The XLSX writer of the exports: inline strings, streamed, compressed in a thread
(format choices in ``feedback.exports.rows.rows``).
"""

from __future__ import annotations

import math
import queue
import re
import threading
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from django.utils import timezone

from feedback.exports.rows import batched

# --------------------------------------------------------------------------- XLSX


_XML_ESCAPE = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}  # for short strings
# Characters XML 1.0 forbids (Excel refuses the file if they appear).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XLSX_MAX_ROWS = 1_048_576
XLSX_ROWS_PER_WRITE = 1000
# Day 0 of Excel's 1900 date system (serial 61 = 1 March 1900; earlier dates are off by one).
_EXCEL_EPOCH_ORDINAL = date(1899, 12, 30).toordinal()

# A batch of rows becomes sheet XML with a few operations on one long string instead of
# per-cell Python work (escaping each cell with str.translate cost 60 s per million rows):
# cells are joined with _CELL, rows with _ROW, numbers and dates marked with _NUM / _DATE in
# front; the string is then cleaned, escaped and its separators replaced with the cell markup.
# The four separators are characters XML forbids, so they cannot be data once illegal characters
# are removed: a batch whose own text holds any of them is written cell by cell instead.
_CELL, _ROW, _NUM, _DATE, _END = "\x01", "\x02", "\x03", "\x04", "\x05"
_SEPARATORS = (_CELL, _ROW, _NUM, _DATE, _END)
_ILLEGAL_NOT_SEPARATOR = re.compile("[\x00\x06-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_STR_OPEN = '<c t="inlineStr"><is><t xml:space="preserve">'
_STR_CLOSE = "</t></is></c>"
_B_STR_OPEN, _B_STR_CLOSE = _STR_OPEN.encode(), _STR_CLOSE.encode()
_DATE_STYLE = 1  # index in cellXfs of _STYLES: yyyy-mm-dd


def _typed(value) -> str:
    """A cell that is not a string, as marked text (numbers, dates) or plain text."""
    if value.__class__ is date:  # the common case first (a day in every register row)
        return _DATE + str(value.toordinal() - _EXCEL_EPOCH_ORDINAL) + _END
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return _NUM + repr(value) + _END
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        delta = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        return _DATE + repr(delta.total_seconds() / 86400) + _END
    if isinstance(value, date):
        return _DATE + str(value.toordinal() - _EXCEL_EPOCH_ORDINAL) + _END
    return str(value)


def _xlsx_cell(value) -> str:
    """One cell, the slow way: for batches whose text contains a separator character."""
    text = _typed(value) if value.__class__ is not str else value
    if text[:1] in (_NUM, _DATE):
        style = f' s="{_DATE_STYLE}"' if text[0] == _DATE else ""
        return f"<c{style}><v>{text[1:-1]}</v></c>"
    text = _XML_ILLEGAL.sub("", text).translate(_XML_ESCAPE)
    return f"{_STR_OPEN}{text}{_STR_CLOSE}"


def _xlsx_rows(rows: list[list]) -> bytes:
    """Sheet XML (``<row>`` elements, UTF-8) for a batch of rows."""
    marked = 0

    def convert(value) -> str:
        nonlocal marked
        text = _typed(value)
        if text[:1] in (_NUM, _DATE):
            marked += 2  # the type before and _END after
        return text

    text = _ROW.join(
        [_CELL.join([v if v.__class__ is str else convert(v) for v in row]) for row in rows]
    )
    separators = sum(map(len, rows)) - 1  # between the cells of a row and between rows
    found = sum(text.count(marker) for marker in _SEPARATORS)
    if found != separators + marked:  # the data holds a separator character: the slow way
        return "".join("<row>" + "".join(map(_xlsx_cell, row)) + "</row>" for row in rows).encode()
    if _ILLEGAL_NOT_SEPARATOR.search(text):
        text = _ILLEGAL_NOT_SEPARATOR.sub("", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # The markup is added to the UTF-8 bytes: shorter than the string (ASCII markup, mostly
    # Chinese text), and UTF-8 never uses bytes under 0x80 inside a multi-byte character.
    data = text.encode()
    data = data.replace(b"\x01", _B_STR_CLOSE + _B_STR_OPEN).replace(
        b"\x02", _B_STR_CLOSE + b"</row><row>" + _B_STR_OPEN
    )
    data = b"<row>" + _B_STR_OPEN + data + _B_STR_CLOSE + b"</row>"
    if marked:  # numbers and dates: <c><v>…</v></c> instead of an inline string
        data = (
            data.replace(_B_STR_OPEN + b"\x03", b"<c><v>")
            .replace(_B_STR_OPEN + b"\x04", b'<c s="%d"><v>' % _DATE_STYLE)
            .replace(b"\x05" + _B_STR_CLOSE, b"</v></c>")
        )
    return data


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)

_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def _sheet_name(name: str, used: set[str]) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", " ", name)[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


class _BackgroundWriter:
    """Writes into a zip member from a thread of its own: deflate, CRC and the file write release
    the GIL, so compressing one batch overlaps with reading and building the next. At most
    ``depth`` batches wait, so memory stays bounded."""

    def __init__(self, out, depth: int = 4):
        self.out, self.error = out, None
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self.thread = threading.Thread(target=self._run, name="xlsx-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (data := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.out.write(data)
                except BaseException as exc:  # handed to the caller on its next call
                    self.error = exc

    def write(self, data: bytes) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(data)

    def close(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def write_xlsx(path: str | Path, sheets: Iterable[tuple[str, list[str], Iterable[list]]]) -> int:
    """Write an XLSX workbook with one sheet per (name, header, rows), streaming each sheet's XML
    into the zip; returns the number of data rows. Inline strings, no shared-string table, so
    memory does not grow with the data. Readable by Excel, LibreOffice and openpyxl."""
    names: list[str] = []
    used: set[str] = set()
    total = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for index, (name, header, rows) in enumerate(sheets, start=1):
            names.append(_sheet_name(name, used))
            with zf.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=True) as member:
                out = _BackgroundWriter(member)
                try:
                    out.write(_SHEET_HEAD.encode() + _xlsx_rows([header]))
                    count = 0
                    for batch in batched(rows, XLSX_ROWS_PER_WRITE):
                        count += len(batch)
                        if count >= XLSX_MAX_ROWS:
                            raise ValueError("more rows than a worksheet can hold")
                        out.write(_xlsx_rows(batch))
                    out.write(_SHEET_TAIL.encode())
                finally:
                    out.close()
                total += count
        sheet_list = "".join(
            f'<sheet name="{n.translate(_XML_ESCAPE)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, n in enumerate(names, start=1)
        )
        zf.writestr(
            "[Content_Types].xml",
            _CONTENT_TYPES.format(
                sheets="".join(_SHEET_TYPE.format(n=i) for i in range(1, len(names) + 1))
            ),
        )
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<sheets>{sheet_list}</sheets></workbook>",
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        styles_id = len(names) + 1
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}"
            f'<Relationship Id="rId{styles_id}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
            'Target="styles.xml"/></Relationships>',
        )
        zf.writestr("xl/styles.xml", _STYLES)
    return total
