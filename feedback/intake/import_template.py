"""The import template of one consultation, as CSV or XLSX (issue 15, intake).

Its header row is what ``bulk_import`` reads, each column named by its key and, in brackets,
what it is in the clerk's language: ``question_2（您对补偿标准有何意见？）``. The importer reads a
header up to its first bracket or colon (``import_table._normalise_header``), so a filled-in
template imports as it is. The XLSX has a second sheet that lists every column with the values
it accepts (the options of a question, the stances, the channels). The CSV starts with a UTF-8
byte-order mark, so that spreadsheet programs open its Chinese correctly.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from consultations.models import Consultation, Question
from feedback.intake import selectors
from feedback.models import AffectedStatus, Channel, Preference, Stance

MAX_LABEL = 60  # characters of a question or alternative in the header


def _short(text: str) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _choices(choices) -> str:
    return "、".join(str(label) for value, label in choices if value)


def template_columns(consultation: Consultation) -> list[tuple[str, str, str]]:
    """(key, what the column is, the values it accepts) for every column of the template."""
    offline = [(v, label) for v, label in Channel.choices if v != Channel.WEB]
    columns = [
        ("channel", _("Channel"), _choices(offline)),
        ("date_received", _("Date received"), _("a date such as 2026-12-01")),
        ("stance", _("Overall stance"), _choices(Stance.choices)),
        ("affected_status", _("How affected"), _choices(AffectedStatus.choices)),
        ("comment", _("Opinion in the resident's words"), ""),
        ("email", _("E-mail for the reply"), ""),
        ("phone", _("Mobile number for the reply"), ""),
        ("quote_consent", _("May be quoted without name"), _("是 or yes when agreed")),
    ]
    for n, alternative in enumerate(selectors.form_alternatives(consultation), 1):
        columns.append((f"alternative_{n}", alternative.tr("title"), _choices(Preference.choices)))
    for n, question in enumerate(selectors.form_questions(consultation), 1):
        if question.type in (Question.Type.SINGLE, Question.Type.MULTIPLE):
            accepted = "、".join(label for _i, label in question.localized_options())
            if question.type == Question.Type.MULTIPLE:
                accepted = _("one or more of: %(options)s") % {"options": accepted}
        elif question.type == Question.Type.SCALE:
            accepted = f"1–5 {question.scale_ends_text()}".strip()
        else:
            accepted = ""
        columns.append((f"question_{n}", question.tr("text"), accepted))
    for clause in selectors.form_clauses(consultation):
        columns.append(
            (
                f"clause_{clause.number}",
                _("Comment on clause %(number)s") % {"number": clause.number},
                "",
            )
        )
    return columns


def template_header(consultation: Consultation) -> list[str]:
    return [f"{key}（{_short(label)}）" for key, label, _a in template_columns(consultation)]


def template_csv(consultation: Consultation) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(template_header(consultation))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(consultation: Consultation) -> bytes:
    # openpyxl (and the numpy it looks for) only when a template is asked for, not at start-up.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Opinions")[:31]
    sheet.append(template_header(consultation))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("Columns")[:31])
    notes.append([_("Column"), _("What it is"), _("Values accepted")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for key, label, accepted in template_columns(consultation):
        notes.append([key, str(label), str(accepted)])
    for sheet_ in (sheet, notes):
        for row in sheet_.iter_rows():
            for cell in row:
                cell.data_type = "s"  # text as written: never a formula ("=…")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
