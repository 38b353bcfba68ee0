"""Exports of the de-identified register and of the aggregates (CSV and XLSX).

What an export never contains: contact data (the ``Contact`` table is never read here, and
``contact_ref`` is not selected), receipt codes, names of staff, IP addresses. Each opinion is
identified by a pseudonym (an HMAC of its id with the site's secret key), so two exports can be
compared but nobody can go from a row to a receipt. Texts are masked (phone numbers, e-mail
addresses, ID-card-like numbers) and cells that spreadsheet programs would run as formulas are
prefixed with an apostrophe.

How it scales (bench/export.py, 1M opinions, goal ≤ 2 min and ≤ 200 MB RSS each; measured
2 Dec 2026 on 2 shared cores: CSV 58 s / 146 MB, XLSX 64 s / 156 MB): rows are read with a
server-side cursor (``.iterator(chunk_size=…)``, ``values_list``, no model instances), and the
parts of each chunk (preferences, answers, clause comments, themes) with one query each over the
chunk's id range, by the submission_id index and without joins: labels, sort orders and clause
numbers are looked up in dicts read once, and rows of other consultations in the range are
dropped by id. Memory stays flat. CSV is streamed to the browser as it is read; XLSX is written
by a task into a temporary file, while a ``StaffJob`` records the progress for the progress page.

XLSX format choices (``write_xlsx``; openpyxl's write-only mode took 9 min per million rows
without lxml):

* inline strings (``t="inlineStr"``), no shared-string table: memory does not grow with the
  data (openpyxl reads the files back in the tests; Excel and LibreOffice read inline strings);
* numbers as number cells; dates (the day received) as real date cells, serial days of the 1900
  date system with the one style ``yyyy-mm-dd`` (CSV writes the same day as ISO 8601 text);
* no ``r`` attributes, no dimension, no column widths: optional parts, left out;
* the XML of 1,000 rows at a time is made with a few operations on one string (join with
  control-character separators, strip characters XML forbids, escape, replace the separators
  with the markup) rather than per cell (escaping cell by cell was most of the old 132 s);
* deflate at level 1 (the sheet compresses ~8:1 anyway), done in a thread of its own: zlib and
  the file write release the GIL, so compression overlaps with reading the next rows;
* one ZIP64 member per sheet, at most 1,048,575 data rows (Excel's limit).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import queue
import re
import secrets
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

CHUNK_SIZE = 2000
PROGRESS_EVERY = 10_000  # rows between StaffJob progress writes

# --------------------------------------------------------------------------- privacy helpers

_FALLBACK_PATTERNS = [
    re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),  # e-mail
    re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])"),  # 18-digit ID card number
    re.compile(r"(?<!\d)\d{15}(?!\d)"),  # old 15-digit ID card number
    re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)"),  # mobile
    re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"),  # landline with area code
]


def _fallback_mask(text: str) -> str:
    for pattern in _FALLBACK_PATTERNS:
        text = pattern.sub("***", text)
    return text


# Everything ``feedback.masking`` finds has five digits or more, an at sign, or a WeChat word
# (its WeChat IDs are letters). Texts without any of these (most opinions) skip the full
# matching, which costs ~0.3 ms per text: 5 minutes for a million opinions otherwise. Plain
# ``in`` tests first: they cost 0.1 µs where a regular expression over the text costs 30 µs.
_DIGIT = re.compile(r"\d")
_LATIN_WORD = re.compile(r"wechat|weixin|vx", re.IGNORECASE)


def _maybe_personal(text: str) -> bool:
    if "@" in text or "＠" in text or "﹫" in text or "微信" in text:
        return True
    if len(_DIGIT.findall(text)) >= 5:
        return True
    if "w" in text or "W" in text or "v" in text or "V" in text:
        return _LATIN_WORD.search(text) is not None
    return False


def _masker() -> Callable[[str], str]:
    """``feedback.masking.mask_text`` (written for public display) when it exists, else a
    conservative local version, so exports are never unmasked; gated by a cheap pre-check."""
    try:
        from feedback.masking import mask_text
    except ImportError:
        mask_text = _fallback_mask

    def mask(text: str) -> str:
        return mask_text(text) if text and _maybe_personal(text) else text

    return mask


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV/formula injection)."""
    if value and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _pseudonym_key() -> bytes:
    return hashlib.sha256(b"tingjian-export-pseudonym:" + settings.SECRET_KEY.encode()).digest()


def pseudonym(submission_id: int, key: bytes | None = None) -> str:
    """A stable pseudonymous id for an opinion: not its receipt and not its database id (a keyed
    BLAKE2b MAC of the id with a key derived from SECRET_KEY)."""
    digest = hashlib.blake2b(
        str(submission_id).encode(), key=key or _pseudonym_key(), digest_size=6
    ).hexdigest()
    return "P" + digest.upper()


def _pseudonymiser() -> Callable[[int], str]:
    """``pseudonym`` for many ids: the keyed hash state is set up once and copied per id."""
    keyed = hashlib.blake2b(key=_pseudonym_key(), digest_size=6)

    def pseudonym_of(submission_id: int) -> str:
        h = keyed.copy()
        h.update(str(submission_id).encode())
        return "P" + h.hexdigest().upper()

    return pseudonym_of


# --------------------------------------------------------------------------- register rows


def register_header() -> list[str]:
    return [
        _("Opinion (pseudonym)"),
        _("Consultation"),
        _("Channel"),
        _("Date received"),
        _("Overall stance"),
        _("How affected"),
        _("Preferences for alternatives"),
        _("Answers"),
        _("General comment (masked)"),
        _("Comments on clauses (masked)"),
        _("Themes"),
        _("No theme: reason"),
        _("Campaign group"),
        _("Withdrawn"),
        _("Public display"),
    ]


def register_queryset(consultation):
    from feedback.models import Submission

    tz = ZoneInfo(getattr(settings, "CONSULTATION_TIME_ZONE", "Asia/Shanghai"))
    return (
        Submission.objects.filter(consultation=consultation)
        .annotate(day=Coalesce("submitted_on", TruncDate("received_at", tzinfo=tz)))
        .order_by("pk")
    )


def _batched(iterable: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def iter_register_rows(
    consultation, *, chunk_size: int = CHUNK_SIZE, progress: Callable[[int], None] | None = None
) -> Iterator[list]:
    """One list of cells per opinion (withdrawn and hidden ones included, flagged): strings,
    except the day received, a ``date`` (``None`` if unknown), which CSV writes as ISO 8601 and
    XLSX as a real date."""
    from consultations.models import Clause
    from feedback.models import (
        AffectedStatus,
        AlternativePreference,
        Channel,
        ClauseComment,
        Coding,
        ModerationState,
        Preference,
        QuestionAnswer,
        Stance,
        Theme,
    )

    mask = _masker()

    def labels(choices) -> dict[str, str]:  # translated once, not per row
        return {value: str(label) for value, label in choices.choices}

    channels, stances, affected = labels(Channel), labels(Stance), labels(AffectedStatus)
    preferences, moderation = labels(Preference), labels(ModerationState)
    # Everything the parts refer to, looked up here once: the parts are then read without joins.
    alternatives = {a.pk: ((a.sort_order, a.pk), a.title) for a in consultation.alternatives.all()}
    questions = {
        q.pk: ((q.sort_order, q.pk), q.text, q.option_list()) for q in consultation.questions.all()
    }
    clause_numbers = dict(
        Clause.objects.filter(version__consultation=consultation).values_list("pk", "number")
    )
    themes = {
        pk: ((order, pk), name)
        for pk, order, name in Theme.objects.filter(consultation=consultation).values_list(
            "pk", "sort_order", "name"
        )
    }

    def theme(pk: int) -> tuple:  # a theme of another consultation: should not happen, but
        if pk not in themes:  # is then named as before, not dropped
            order, name = Theme.objects.filter(pk=pk).values_list("sort_order", "name").get()
            themes[pk] = ((order, pk), name)
        return themes[pk]

    def clause_number(pk: int) -> int:
        if pk not in clause_numbers:
            clause_numbers[pk] = Clause.objects.filter(pk=pk).values_list("number", flat=True).get()
        return clause_numbers[pk]

    yes, no = _("yes"), _("no")
    slug = consultation.slug
    pseudonym_of = _pseudonymiser()

    def answer_text(question_id, options, scale, text):
        _order, label, option_list = questions.get(question_id, (None, str(question_id), []))
        if options:
            value = "、".join(
                option_list[i - 1] if 0 < i <= len(option_list) else str(i) for i in options
            )
        elif scale is not None:
            value = str(scale)
        else:
            value = mask(text)
        return f"{label}: {value}"

    def ordered(parts: list[tuple]) -> list[str]:
        if len(parts) > 1:
            parts.sort()
        return [text for _key, text in parts]

    rows = register_queryset(consultation).values_list(
        "pk",
        "channel",
        "day",
        "stance",
        "affected_status",
        "comment",
        "no_theme_reason",
        "campaign_membership__group_id",
        "withdrawn",
        "moderation_state",
    )
    done = 0
    for batch in _batched(rows.iterator(chunk_size=chunk_size), chunk_size):
        # Rows come in id order: the parts of a batch are read as one id range, by the index on
        # submission_id and without joins (a join back to the opinion, to check its
        # consultation, cost more than all the rest). Parts of opinions of other consultations
        # whose ids fall in the range are skipped here, by the id set.
        ids = {row[0] for row in batch}
        in_range = {"submission_id__gte": batch[0][0], "submission_id__lte": batch[-1][0]}
        prefs: dict[int, list] = {}
        for sid, alt, pref in (
            AlternativePreference.objects.filter(**in_range)
            .order_by()
            .values_list("submission_id", "alternative_id", "preference")
        ):
            if sid in ids:
                key, title = alternatives.get(alt, ((0, alt), str(alt)))
                text = f"{title}: {preferences.get(pref, pref)}"
                prefs.setdefault(sid, []).append((key, text))
        answers: dict[int, list] = {}
        for sid, qid, options, scale, text in (
            QuestionAnswer.objects.filter(**in_range)
            .order_by()
            .values_list("submission_id", "question_id", "options", "scale", "text")
        ):
            if sid in ids:
                key = questions[qid][0] if qid in questions else (0, qid)
                answers.setdefault(sid, []).append((key, answer_text(qid, options, scale, text)))
        clauses: dict[int, list] = {}
        for sid, pk, clause_id, text in (
            ClauseComment.objects.filter(**in_range)
            .order_by()
            .values_list("submission_id", "pk", "clause_id", "text")
        ):
            if sid in ids:
                number = clause_number(clause_id)
                clauses.setdefault(sid, []).append(((number, pk), f"{number}: {mask(text)}"))
        coded: dict[int, dict] = {}
        for sid, theme_id in (
            Coding.objects.filter(**in_range).order_by().values_list("submission_id", "theme_id")
        ):
            if sid in ids:  # a theme coded twice (opinion and clause comment) is listed once
                coded.setdefault(sid, {})[theme_id] = theme(theme_id)
        for pk, channel, day, stance, aff, comment, no_theme, group, withdrawn, mod in batch:
            yield [
                pseudonym_of(pk),
                slug,
                channels.get(channel, channel),
                day,
                stances.get(stance, ""),
                affected.get(aff, ""),
                safe_cell("; ".join(ordered(prefs[pk]))) if pk in prefs else "",
                safe_cell(" | ".join(ordered(answers[pk]))) if pk in answers else "",
                safe_cell(mask(comment)),
                safe_cell(" | ".join(ordered(clauses[pk]))) if pk in clauses else "",
                safe_cell("; ".join(ordered(list(coded[pk].values())))) if pk in coded else "",
                safe_cell(mask(no_theme)),
                str(group) if group else "",
                yes if withdrawn else no,
                moderation.get(mod, mod),
            ]
        done += len(batch)
        if progress is not None:
            progress(done)


# --------------------------------------------------------------------------- aggregate rows


def aggregate_header() -> list[str]:
    return [_("Breakdown"), _("Row"), _("Column"), _("Count")]


def iter_aggregate_rows(data: dict) -> Iterator[list]:
    """Flatten ``aggregates.dashboard()`` into (breakdown, row, column, count) rows; suppressed
    cells are written "<5"."""
    from feedback.analysis.aggregates import ClauseMap, CrossTab, Series
    from feedback.analysis.suppression import display

    totals = data["totals"]
    title = _("Register totals")
    for key, label in (
        ("received", _("received")),
        ("withdrawn", _("withdrawn")),
        ("active", _("active (received − withdrawn)")),
        ("distinct_texts", _("distinct texts")),
        ("campaign_groups", _("campaign groups")),
        ("in_campaign_groups", _("opinions in campaign groups")),
    ):
        yield [title, str(label), "", totals[key]]
    for value in data.values():
        if isinstance(value, Series):
            for item in value.items:
                count = item.count if item.count is not None else display(None)
                yield [value.title, item.label, "", count]
        elif isinstance(value, CrossTab):
            for row in value.rows:
                for col_key, col_label in value.columns:
                    cell = row.cells[col_key]
                    yield [
                        value.title,
                        row.label,
                        col_label,
                        display(cell) if cell is None else cell,
                    ]
        elif isinstance(value, ClauseMap):
            name = _("Comments on clauses")
            for clause in value.clauses:
                label = f"{clause.number}. {clause.heading}".strip()
                cell = clause.total
                yield [name, label, _("total"), display(cell) if cell is None else cell]


# --------------------------------------------------------------------------- CSV


def csv_stream(header: list[str], rows: Iterable[list], rows_per_chunk: int = 500):
    """Bytes of a UTF-8 CSV (with BOM, so spreadsheet programs read Chinese), chunk by chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    n = 0
    for row in rows:
        writer.writerow(row)
        n += 1
        if n >= rows_per_chunk:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            n = 0
    yield buffer.getvalue().encode("utf-8")


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
                    for batch in _batched(rows, XLSX_ROWS_PER_WRITE):
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


# --------------------------------------------------------------------------- files and jobs

EXPORT_KIND = "export"
FORMATS = ("csv", "xlsx")
SCOPES = ("register", "aggregates")


def export_dir() -> Path:
    """Where finished export files wait for download: never under MEDIA_ROOT (not public)."""
    configured = getattr(settings, "TINGJIAN_EXPORT_DIR", None)
    path = Path(configured) if configured else Path(tempfile.gettempdir()) / "tingjian-exports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def export_filename(consultation, scope: str, fmt: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{consultation.slug}-{scope}-{stamp}.{fmt}"


def write_export(
    consultation, scope: str, fmt: str, path: Path, *, suppressed: bool, progress=None
):
    """Write one export file; returns the number of data rows."""
    if scope == "register":
        header, rows = register_header(), iter_register_rows(consultation, progress=progress)
        title = _("Register")
    else:
        from feedback.analysis.aggregates import dashboard

        data = dashboard(consultation, suppressed=suppressed)
        header, rows = aggregate_header(), iter_aggregate_rows(data)
        title = _("Aggregates")
    if fmt == "xlsx":
        return write_xlsx(path, [(str(title), header, rows)])
    counted = _Counted(rows)
    with open(path, "wb") as out:
        for chunk in csv_stream(header, counted):
            out.write(chunk)
    return counted.n


class _Counted:
    def __init__(self, rows):
        self.rows, self.n = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.n += 1
            yield row


@task()
def run_export(job_id: int) -> None:
    """Write the export a ``StaffJob`` asks for into the export folder, with progress."""
    from consultations.models import Consultation
    from feedback.models import StaffJob, Submission

    job = StaffJob.objects.get(pk=job_id)
    params = job.params
    consultation = Consultation.objects.get(pk=job.consultation_id)
    scope, fmt = params.get("scope", "register"), params.get("format", "xlsx")
    total = (
        Submission.objects.filter(consultation=consultation).count() if scope == "register" else 0
    )
    StaffJob.objects.filter(pk=job_id).update(status=StaffJob.Status.RUNNING, total=total, done=0)
    path = export_dir() / f"job-{job_id}-{secrets.token_hex(8)}.{fmt}"
    last = [0]

    def progress(done: int) -> None:
        if done - last[0] >= PROGRESS_EVERY or done == total:
            last[0] = done
            StaffJob.objects.filter(pk=job_id).update(done=done)

    try:
        with translation.override(params.get("language") or settings.LANGUAGE_CODE):
            write_export(
                consultation,
                scope,
                fmt,
                path,
                suppressed=bool(params.get("suppressed", True)),
                progress=progress,
            )
    except Exception as exc:  # recorded for the progress page, then re-raised for the worker
        path.unlink(missing_ok=True)
        StaffJob.objects.filter(pk=job_id).update(
            status=StaffJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    StaffJob.objects.filter(pk=job_id).update(
        status=StaffJob.Status.DONE,
        done=total,
        result_file=str(path),
        finished_at=timezone.now(),
    )
