"""Bulk import of paper forms from CSV or XLSX (R15): validate every row, then import.

Each row goes through the same ``IntakeForm`` as a single offline opinion, so a row is valid
exactly when a clerk could have typed it. The valid rows are imported and every other row is
reported with its number, column and reason (issue 15: one upload is enough).

Idempotency: each valid row's form token is derived from the consultation, the row's normalised
content (the cleaned form values, so "反对" and "oppose", a CSV text date and an XLSX date cell,
"甲、丙" and "丙、甲" are the same), the occurrence number of that content in the file **and the
clerk**. So the same rows uploaded again by the same clerk, in any file, format or order (a
re-upload after a lost connection), store nothing twice, while two identical paper forms in one
file are two opinions. The token is an HMAC keyed with ``SECRET_KEY`` rather than a plain uuid5:
the content includes contact details, which must not be recoverable from the stored token by
trying phone numbers (R38-R42). Rotating ``SECRET_KEY`` therefore changes the tokens of future
imports.

What a clerk learns (issue 12, point 5): only about the rows of their own upload. A row counts
as "already imported" only when this clerk's own earlier upload stored it, so a crafted row
cannot test whether someone else's opinion exists; the report gives that number and the date of
the earlier upload, never which rows, and never an earlier receipt code. Rows imported before
tokens named the clerk (``legacy_token``) count the same way when the same clerk stored them.
Receipt codes of the rows an upload created are on that upload's page only
(``feedback.intake.offline``). Every upload, imported or refused, is an audit-chain entry with
counts only: no file name, no text, no contact.

Columns (header row, case-insensitive; Chinese headers in ``import_table.HEADER_ALIASES``):
``channel, date_received, stance, affected_status, comment, email, phone, quote_consent,
alternative_<n>, question_<n>, clause_<n>`` where ``alternative_<n>`` and ``question_<n>`` count
from 1 in the order shown on the form and ``clause_<n>`` is the clause number.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from consultations.models import Consultation, Question
from feedback.audit.trail import record
from feedback.intake import selectors
from feedback.intake.forms import IntakeForm
from feedback.intake.import_table import file_format, iter_table
from feedback.intake.offline import consultation_for_intake, earlier_entries
from feedback.intake.services import NotAcceptingOpinions, check_offline_date, submission_create
from feedback.models import (
    AffectedStatus,
    AuditAction,
    AuditEntry,
    Channel,
    Preference,
    Stance,
    Submission,
)
from feedback.permissions import is_hotline_entry

# The old module path, kept on purpose: a new salt would let a re-import store the same rows again.
ROW_HMAC_SALT = "feedback.bulk_import.row-token.v1"

TRUE_WORDS = {"1", "y", "yes", "true", "是", "同意", "x", "✓"}
HOTLINE_ONLY_MESSAGE = _lazy(
    "For another department's consultation the 12345 centre enters only opinions received on "
    "the 12345 hotline."
)


@dataclass
class RowResult:
    number: int  # row number as the clerk sees it in a spreadsheet (header is row 1)
    data: dict
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    form: IntakeForm | None = None
    token: uuid.UUID | None = None  # set for valid rows only
    legacy_token: uuid.UUID | None = None  # the token before tokens named the clerk
    existing_id: int | None = None  # this clerk's opinion already stored for this row
    submission: Submission | None = None  # set by import_rows for the rows it stored

    @property
    def already_imported(self) -> bool:
        return self.existing_id is not None


@dataclass
class ImportReport:
    rows: list[RowResult]
    file_format: str = ""
    earlier: list[AuditEntry] = field(default_factory=list)  # own uploads that stored rows
    entry: AuditEntry | None = None  # this upload's audit entry, once recorded

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
        """Valid rows this clerk's earlier upload stored (or one made at the same time)."""
        return [r for r in self.rows if not r.errors and r.already_imported]

    @property
    def created_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.submission is not None]


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
            row.get("channel", ""),
            [c for c in _zh_choices(Channel) if c[0] not in (Channel.WEB, Channel.HEARING)],
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


PROGRESS_EVERY = 250  # rows between progress reports while checking a file


def validate_file(
    consultation: Consultation, name: str, content, *, clerk, progress=None
) -> ImportReport:
    """Check every row and find the rows this clerk already imported; nothing is written.

    ``content`` is the file's bytes or its path; it is read row by row
    (``import_table.iter_table``, which raises ``ImportFileError`` for the file as a whole).
    ``progress(rows_checked)`` is called every ``PROGRESS_EVERY`` rows.
    """
    hotline_only = is_hotline_entry(clerk, consultation)
    alternatives = list(selectors.form_alternatives(consultation))
    questions = list(selectors.form_questions(consultation))
    clauses = list(selectors.form_clauses(consultation))
    known = {f"clause_{c.number}" for c in clauses}
    fields: dict = {}  # the form's fields, built once for every row (OpinionForm.field_cache)
    results = []
    occurrences: Counter[str] = Counter()
    for number, row in iter_table(name, content):
        result = RowResult(number=number, data=row)
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
            field_cache=fields,
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
        if hotline_only and form.cleaned_data.get("channel") not in (None, Channel.HOTLINE):
            result.errors.append(("channel", str(HOTLINE_ONLY_MESSAGE)))
        if not result.errors:
            key = content_key(form.cleaned_data)
            occurrences[key] += 1
            result.token = row_token(consultation, key, occurrences[key], clerk_id=clerk.pk)
            result.legacy_token = row_token(consultation, key, occurrences[key])
        result.form = form
        results.append(result)
        if progress is not None and len(results) % PROGRESS_EVERY == 0:
            progress(len(results))
    report = ImportReport(rows=results, file_format=file_format(name))
    _find_own_earlier_rows(consultation, report, clerk)
    return report


def _find_own_earlier_rows(consultation: Consultation, report: ImportReport, clerk) -> None:
    """Mark the rows that this clerk's earlier uploads stored. A row token stored by anyone
    else (possible only for the legacy tokens, which did not name the clerk) is ignored: the
    row is new for this clerk and gets its own token."""
    by_token = {r.token: r for r in report.rows if r.token is not None}
    by_legacy = {r.legacy_token: r for r in report.rows if r.legacy_token is not None}
    if not by_token:
        return
    stored = Submission.objects.filter(
        consultation=consultation, idempotency_token__in=[*by_token, *by_legacy]
    ).values_list("idempotency_token", "pk", "entered_by_id")
    for token, pk, entered_by_id in stored:
        if entered_by_id != clerk.pk:
            continue
        row = by_token.get(token) or by_legacy.get(token)
        row.existing_id = pk
    report.earlier = earlier_entries(
        clerk, consultation, {r.existing_id for r in report.already_imported_rows}
    )


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


def row_token(
    consultation: Consultation, key: str, occurrence: int, clerk_id: int | None = None
) -> uuid.UUID:
    """The idempotency token of the ``occurrence``-th row with content ``key`` in a file
    uploaded by clerk ``clerk_id`` (None: the legacy token, which did not name the clerk)."""
    message = f"{consultation.pk}\n{occurrence}\n{key}"
    if clerk_id is not None:
        message += f"\nclerk:{clerk_id}"
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
    """Store every new valid row and the upload's audit entry in one transaction; each row
    gets its own receipt. Raises ``NotAcceptingOpinions`` (nothing stored) when the response
    was published since the file was checked.

    Rows already imported are not stored again (the token's unique constraint also covers the
    same clerk importing the same rows at the same moment: such a row becomes "already
    imported").
    """
    with transaction.atomic():
        locked = consultation_for_intake(consultation)
        for row in report.valid_rows:
            if row.already_imported:
                continue
            form = row.form
            submission, created = submission_create(
                consultation=locked,
                data=form.to_data(),
                token=row.token,
                channel=form.cleaned_data["channel"],
                submitted_on=form.cleaned_data["submitted_on"],
                entered_by=entered_by,
            )
            if created:
                row.submission = submission
            else:
                row.existing_id = submission.pk
        report.entry = upload_record(
            consultation=locked, report=report, clerk=entered_by, imported=True
        )
    return report


def upload_record(
    *, consultation: Consultation, report: ImportReport, clerk, imported: bool
) -> AuditEntry:
    """The upload's audit entry: counts and the internal numbers of the opinions it created.
    No file name, no row content, no receipt code."""
    created = report.created_rows
    return record(
        clerk,
        AuditAction.INTAKE_IMPORT,
        consultation=consultation,
        detail={
            "imported": imported,
            "format": report.file_format,
            "rows": len(report.rows),
            "created": len(created),
            "already_imported": len(report.already_imported_rows),
            "invalid": len(report.invalid_rows),
            "opinions": [r.submission.pk for r in created],
            "rows_created": [r.number for r in created],
            "earlier_uploads": [e.pk for e in report.earlier],
            "hotline_centre": is_hotline_entry(clerk, consultation),
        },
    )
