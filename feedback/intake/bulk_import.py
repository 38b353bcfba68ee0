"""Bulk import of paper forms from CSV or XLSX (R15): validate every row, then import.

Each row goes through the same ``IntakeForm`` as a single offline opinion, so a row is valid
exactly when a clerk could have typed it. Nothing is imported while any row has an error,
unless the clerk confirms importing only the valid rows.

Idempotency: each valid row's form token is derived from the consultation, the row's normalised
content (the cleaned form values, so "反对" and "oppose", a CSV text date and an XLSX date cell,
"甲、丙" and "丙、甲" are the same) and the occurrence number of that content in the file. So the
same rows uploaded again, in any file, format or order, are reported as already imported with
their receipt codes and stored nothing twice, while two identical paper forms in one file are
two opinions. The token is an HMAC keyed with ``SECRET_KEY`` rather than a plain uuid5: the
content includes contact details, which must not be recoverable from the stored token by trying
phone numbers (R38-R42). Rotating ``SECRET_KEY`` therefore changes the tokens of future imports.

Columns (header row, case-insensitive; Chinese headers in ``HEADER_ALIASES``):
``channel, date_received, stance, affected_status, comment, email, phone, quote_consent,
alternative_<n>, question_<n>, clause_<n>`` where ``alternative_<n>`` and ``question_<n>`` count
from 1 in the order shown on the form and ``clause_<n>`` is the clause number.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from consultations.models import Consultation, Question
from feedback.intake import selectors
from feedback.intake.forms import IntakeForm
from feedback.intake.services import NotAcceptingOpinions, check_offline_date, submission_create
from feedback.models import AffectedStatus, Channel, Preference, Stance, Submission

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# The old module path, kept on purpose: a new salt would let a re-import store the same rows again.
ROW_HMAC_SALT = "feedback.bulk_import.row-token.v1"

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
TRUE_WORDS = {"1", "y", "yes", "true", "是", "同意", "x", "✓"}


class ImportFileError(Exception):
    """The file as a whole cannot be read (format, size, header)."""


@dataclass
class RowResult:
    number: int  # row number as the clerk sees it in a spreadsheet (header is row 1)
    data: dict
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    form: IntakeForm | None = None
    token: uuid.UUID | None = None  # set for valid rows only
    existing: Submission | None = None  # the opinion already stored with this row's token
    submission: Submission | None = None  # set by import_rows: stored now or before

    @property
    def already_imported(self) -> bool:
        return self.existing is not None


@dataclass
class ImportReport:
    rows: list[RowResult]

    @property
    def valid_rows(self) -> list[RowResult]:
        return [r for r in self.rows if not r.errors]

    @property
    def invalid_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def new_rows(self) -> list[RowResult]:
        """Valid rows not stored yet: what importing the file would add."""
        return [r for r in self.rows if not r.errors and not r.already_imported]

    @property
    def already_imported_rows(self) -> list[RowResult]:
        """Valid rows stored by an earlier import (or by a clerk importing at the same time)."""
        return [r for r in self.rows if not r.errors and r.already_imported]


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


def _choice(value: str, choices) -> str:
    """Accept a stored value or a label in either language ("反对", "oppose")."""
    if not value:
        return ""
    folded = value.strip().casefold()
    for stored, label in choices:
        if folded in (stored.casefold(), str(label).casefold()):
            return stored
    return value  # the form reports it as an invalid choice


def _option_indexes(value: str, question: Question) -> list[str]:
    labels = {label.casefold(): str(i) for i, label in question.localized_options()}
    labels.update({label.casefold(): str(i) for i, label in enumerate(question.option_list(), 1)})
    parts = [p.strip() for p in re.split(r"[;；,，、/]", value) if p.strip()]
    return [labels.get(p.casefold(), p) for p in parts]


def _form_data(row: dict, alternatives, questions) -> dict:
    data = {
        "channel": _choice(
            row.get("channel", ""), [c for c in _zh_choices(Channel) if c[0] != Channel.WEB]
        ),
        "submitted_on": row.get("date_received", ""),
        "stance": _choice(row.get("stance", ""), _zh_choices(Stance)),
        "affected_status": _choice(row.get("affected_status", ""), _zh_choices(AffectedStatus)),
        "comment": row.get("comment", ""),
        "contact_email": row.get("email", ""),
        "contact_phone": row.get("phone", ""),
    }
    if row.get("quote_consent", "").strip().casefold() in TRUE_WORDS:
        data["quote_consent"] = "on"
    for n, alt in enumerate(alternatives, 1):
        data[f"pref_{alt.pk}"] = _choice(row.get(f"alternative_{n}", ""), _zh_choices(Preference))
    for n, q in enumerate(questions, 1):
        value = row.get(f"question_{n}", "")
        if q.type == Question.Type.MULTIPLE:
            data[f"q_{q.pk}"] = _option_indexes(value, q)
        elif q.type == Question.Type.SINGLE and value:
            data[f"q_{q.pk}"] = (_option_indexes(value, q) or [""])[0]
        else:
            data[f"q_{q.pk}"] = value
    for key, value in row.items():
        if key.startswith("clause_"):
            data[key] = value
    return data


CHINESE_LABELS = {
    "support": "支持",
    "conditional": "有条件支持",
    "oppose": "反对",
    "unsure": "不确定",
    "live": "居住在范围内",
    "work": "在范围内工作",
    "own": "在范围内有房产或经营",
    "other": "其他",
    "prefer": "首选",
    "acceptable": "可以接受",
    "not_acceptable": "不能接受",
    "phone": "电话",
    "letter": "来信",
    "walk_in": "来访",
    "symposium": "座谈会",
    "field_visit": "实地走访",
    "email": "电子邮件",
    "hotline_12345": "12345热线",
}


def _zh_choices(choices_class) -> list[tuple[str, str]]:
    pairs = list(choices_class.choices)
    pairs += [(v, CHINESE_LABELS[v]) for v, _l in choices_class.choices if v in CHINESE_LABELS]
    return pairs


def validate_file(consultation: Consultation, name: str, content: bytes) -> ImportReport:
    """Check every row and find the rows already imported; nothing is written."""
    rows = read_table(name, content)
    alternatives = list(selectors.form_alternatives(consultation))
    questions = list(selectors.form_questions(consultation))
    clauses = list(selectors.form_clauses(consultation))
    known = {f"clause_{c.number}" for c in clauses}
    results = []
    occurrences: Counter[str] = Counter()
    for index, row in enumerate(rows, start=2):
        result = RowResult(number=index, data=row)
        if not row:
            continue
        for key in row:
            if key.startswith("clause_") and key not in known and row[key]:
                result.errors.append((key, _("This consultation has no such clause.")))
        form = IntakeForm(
            _form_data(row, alternatives, questions),
            consultation=consultation,
            alternatives=alternatives,
            questions=questions,
            clauses=clauses,
            require_token=False,
        )
        form.is_valid()
        for field_name, errors in form.errors.items():
            column = _column_for(field_name, alternatives, questions)
            result.errors.extend((column, str(e)) for e in errors)
        if form.cleaned_data.get("submitted_on"):
            try:
                check_offline_date(consultation, form.cleaned_data["submitted_on"])
            except NotAcceptingOpinions as exc:
                result.errors.append(("date_received", str(exc)))
        if not result.errors:
            key = content_key(form.cleaned_data)
            occurrences[key] += 1
            result.token = row_token(consultation, key, occurrences[key])
        result.form = form
        results.append(result)
    tokens = [r.token for r in results if r.token is not None]
    if tokens:
        stored = Submission.objects.filter(consultation=consultation, idempotency_token__in=tokens)
        by_token = {s.idempotency_token: s for s in stored}
        for result in results:
            result.existing = by_token.get(result.token)
    return ImportReport(rows=results)


def _canonical(name: str, value):
    """A form value in the form used for the content key, or None when it is empty."""
    if value is None or value is False or (isinstance(value, (str, list, tuple)) and not value):
        return None
    if isinstance(value, str):
        text = " ".join(unicodedata.normalize("NFC", value).split())
        if name == "contact_email":
            text = text.casefold()
        elif name == "contact_phone":
            text = re.sub(r"^\+?86(?=1\d{10}$)", "", text)
        return text
    if isinstance(value, (list, tuple)):
        return sorted(str(_canonical(name, v)) for v in value if _canonical(name, v) is not None)
    if isinstance(value, (datetime.date, uuid.UUID)):
        return str(value)
    return value  # int, bool


def content_key(cleaned_data: dict) -> str:
    """The normalised content of a valid row: its cleaned form values, empty ones left out.

    Leaving empty values out keeps the key of a row stable when the file has an extra empty
    column or the consultation gains a question after the first import.
    """
    values = {}
    for name, value in cleaned_data.items():
        if name == "token":
            continue
        canonical = _canonical(name, value)
        if canonical is not None:
            values[name] = canonical
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def row_token(consultation: Consultation, key: str, occurrence: int) -> uuid.UUID:
    """The idempotency token of the ``occurrence``-th row with content ``key`` in a file."""
    message = f"{consultation.pk}\n{occurrence}\n{key}"
    digest = salted_hmac(ROW_HMAC_SALT, message, algorithm="sha256").digest()
    return uuid.UUID(bytes=digest[:16])


def _column_for(field_name: str, alternatives, questions) -> str:
    fixed = {
        "submitted_on": "date_received",
        "contact_email": "email",
        "contact_phone": "phone",
        "__all__": "",
    }
    if field_name in fixed:
        return fixed[field_name]
    if field_name.startswith("pref_"):
        pk = int(field_name.removeprefix("pref_"))
        return next(f"alternative_{n}" for n, a in enumerate(alternatives, 1) if a.pk == pk)
    if field_name.startswith("q_"):
        pk = int(field_name.removeprefix("q_"))
        return next(f"question_{n}" for n, q in enumerate(questions, 1) if q.pk == pk)
    return field_name


def import_rows(*, consultation: Consultation, report: ImportReport, entered_by) -> ImportReport:
    """Store every new valid row in one transaction; each gets its own receipt.

    Rows already imported are not stored again (the token's unique constraint also covers a
    clerk importing the same rows at the same moment: such a row becomes "already imported").
    """
    with transaction.atomic():
        for row in report.valid_rows:
            if row.existing is not None:
                row.submission = row.existing
                continue
            form = row.form
            row.submission, created = submission_create(
                consultation=consultation,
                data=form.to_data(),
                token=row.token,
                channel=form.cleaned_data["channel"],
                submitted_on=form.cleaned_data["submitted_on"],
                entered_by=entered_by,
            )
            if not created:
                row.existing = row.submission
    return report
