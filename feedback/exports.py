"""Exports of the de-identified register and of the aggregates (CSV and XLSX).

What an export never contains: contact data (the ``Contact`` table is never read here, and
``contact_ref`` is not selected), receipt codes, names of staff, IP addresses. Each opinion is
identified by a pseudonym (an HMAC of its id with the site's secret key), so two exports can be
compared but nobody can go from a row to a receipt. Texts are masked (phone numbers, e-mail
addresses, ID-card-like numbers) and cells that spreadsheet programs would run as formulas are
prefixed with an apostrophe.

How it scales (bench/export.py, 1M opinions): rows are read with a server-side cursor
(``.iterator(chunk_size=…)``) and the parts of each chunk (preferences, answers, clause comments,
themes) with one query each, so memory stays flat. CSV is streamed to the browser as it is read;
XLSX is written by a task into a temporary file with a small streaming writer of our own
(openpyxl's write-only mode took 51 s per 100k rows without lxml, ten times too slow), while a
``StaffJob`` records the progress for the progress page.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
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
) -> Iterator[list[str]]:
    """One list of cell strings per opinion (withdrawn and hidden ones included, flagged)."""
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
    )

    mask = _masker()

    def labels(choices) -> dict[str, str]:  # translated once, not per row
        return {value: str(label) for value, label in choices.choices}

    channels, stances, affected = labels(Channel), labels(Stance), labels(AffectedStatus)
    preferences, moderation = labels(Preference), labels(ModerationState)
    alternatives = {a.pk: a.title for a in consultation.alternatives.all()}
    questions = {q.pk: (q.text, q.option_list()) for q in consultation.questions.all()}
    yes, no = _("yes"), _("no")
    slug = consultation.slug
    key = _pseudonym_key()

    def answer_text(question_id, options, scale, text):
        label, option_list = questions.get(question_id, (str(question_id), []))
        if options:
            value = "、".join(
                option_list[i - 1] if 0 < i <= len(option_list) else str(i) for i in options
            )
        elif scale is not None:
            value = str(scale)
        else:
            value = mask(text)
        return f"{label}: {value}"

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
    consultation_id = consultation.pk
    for batch in _batched(rows.iterator(chunk_size=chunk_size), chunk_size):
        # Rows come in id order: the parts of a batch are one id range of this consultation
        # (a range, not an IN list of 2,000 parameters, which cost more than the rows).
        in_batch = {
            "submission_id__gte": batch[0][0],
            "submission_id__lte": batch[-1][0],
            "submission__consultation_id": consultation_id,
        }
        prefs: dict[int, list[str]] = {}
        for sid, alt, pref in (
            AlternativePreference.objects.filter(**in_batch)
            .order_by("alternative__sort_order", "alternative_id")
            .values_list("submission_id", "alternative_id", "preference")
        ):
            prefs.setdefault(sid, []).append(
                f"{alternatives.get(alt, alt)}: {preferences.get(pref, pref)}"
            )
        answers: dict[int, list[str]] = {}
        for sid, qid, options, scale, text in (
            QuestionAnswer.objects.filter(**in_batch)
            .order_by("question__sort_order", "question_id")
            .values_list("submission_id", "question_id", "options", "scale", "text")
        ):
            answers.setdefault(sid, []).append(answer_text(qid, options, scale, text))
        clauses: dict[int, list[str]] = {}
        for sid, number, text in (
            ClauseComment.objects.filter(**in_batch)
            .order_by("clause__number")
            .values_list("submission_id", "clause__number", "text")
        ):
            clauses.setdefault(sid, []).append(f"{number}: {mask(text)}")
        themes: dict[int, list[str]] = {}
        for sid, name in (
            Coding.objects.filter(**in_batch)
            .order_by("theme__sort_order", "theme_id")
            .values_list("submission_id", "theme__name")
            .distinct()
        ):
            themes.setdefault(sid, []).append(name)
        for pk, channel, day, stance, aff, comment, no_theme, group, withdrawn, mod in batch:
            yield [
                pseudonym(pk, key),
                slug,
                channels.get(channel, channel),
                day.isoformat() if day else "",
                stances.get(stance, ""),
                affected.get(aff, ""),
                safe_cell("; ".join(prefs.get(pk, ()))),
                safe_cell(" | ".join(answers.get(pk, ()))),
                safe_cell(mask(comment)),
                safe_cell(" | ".join(clauses.get(pk, ()))),
                safe_cell("; ".join(themes.get(pk, ()))),
                safe_cell(mask(no_theme)),
                str(group or ""),
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


_XML_ESCAPE = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
# Characters XML 1.0 forbids (Excel refuses the file if they appear).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
XLSX_MAX_ROWS = 1_048_576


def _xlsx_cell(value) -> str:
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int):
        return f'<c t="n"><v>{value}</v></c>'
    text = _XML_ILLEGAL.sub("", str(value)).translate(_XML_ESCAPE)
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


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
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
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
            with zf.open(f"xl/worksheets/sheet{index}.xml", "w", force_zip64=True) as out:
                out.write(_SHEET_HEAD.encode())
                parts = ["<row>", *map(_xlsx_cell, header), "</row>"]
                count = 0
                for row in rows:
                    count += 1
                    if count >= XLSX_MAX_ROWS:
                        raise ValueError("more rows than a worksheet can hold")
                    parts.append("<row>")
                    parts.extend(map(_xlsx_cell, row))
                    parts.append("</row>")
                    if len(parts) > 20_000:
                        out.write("".join(parts).encode())
                        parts = []
                out.write(("".join(parts) + _SHEET_TAIL).encode())
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
