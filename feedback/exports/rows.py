"""Exports of the de-identified register and of the aggregates (CSV and XLSX).

What an export never contains: contact data (the ``Contact`` table is never read here, and
``contact_ref`` is not selected), receipt codes, names of staff, IP addresses. Each opinion is
identified by a pseudonym (an HMAC of its id with the site's secret key), so two exports can be
compared but nobody can go from a row to a receipt. Texts are masked as on the public pages
(``feedback.privacy.masking``) and cells that spreadsheet programs would run as formulas are
prefixed with an apostrophe.

Withdrawn opinions (issue 12, "withdrawn means withdrawn") keep their row, so that the rows add
up to the opinions received, but only as withdrawn: pseudonym, consultation, channel, date
received and "Withdrawn: yes"; every other cell (stance, how affected, preferences, answers,
comments, themes, no-theme reason, campaign group, public display) is empty, and their parts
are not read at all. The last column marks opinions given during the decision's implementation
(issue 16 point 5), withdrawn or not; it is empty for the consultation phase.

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

# Size: the register rows and the aggregate rows share the masking, the pseudonyms and the
# streaming CSV; one module keeps what an export may contain in one place.

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

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


def _maybe_personal(text: str) -> bool:
    """The masking's own quick pre-check (a few microseconds); ``mask_text`` runs it too."""
    from feedback.privacy.masking import may_contain_personal_data

    return may_contain_personal_data(text)


def _masker() -> Callable[[str], str]:
    """``feedback.privacy.masking.mask_text``, the masking of the public pages (NFKC; phone
    numbers also in full-width digits or Chinese numerals, "at/dot" e-mail addresses, WeChat IDs
    without a colon, plates, dwelling addresses and names next to them). It starts with its own
    quick pre-check, so most texts cost a few microseconds. The local fallback only keeps
    exports masked should the module ever fail to import."""
    try:
        from feedback.privacy.masking import mask_text
    except ImportError:
        return _fallback_mask
    return mask_text


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
        # Issue 16 point 5: opinions given after the decision are in the register, marked.
        _("Given during implementation"),
    ]


def register_queryset(consultation):
    from feedback.models import Submission

    tz = ZoneInfo(getattr(settings, "CONSULTATION_TIME_ZONE", "Asia/Shanghai"))
    return (
        Submission.objects.filter(consultation=consultation)
        .annotate(day=Coalesce("submitted_on", TruncDate("received_at", tzinfo=tz)))
        .order_by("pk")
    )


def batched(iterable: Iterable, size: int) -> Iterator[list]:
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
    XLSX as a real date. A withdrawn opinion's row has nothing but its pseudonym, consultation,
    channel, day and the withdrawn flag (see the module docstring)."""
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
    # After pseudonym, consultation, channel and day: nine empty cells, "yes", and an empty
    # public display.
    withdrawn_row = [""] * 9 + [yes, ""]
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
        "phase",
    )
    implementation = {"implementation": _("yes")}  # the consultation phase: an empty cell
    done = 0
    for batch in batched(rows.iterator(chunk_size=chunk_size), chunk_size):
        # Rows come in id order: the parts of a batch are read as one id range, by the index on
        # submission_id and without joins (a join back to the opinion, to check its
        # consultation, cost more than all the rest). Parts of opinions of other consultations
        # whose ids fall in the range are skipped here, by the id set.
        ids = {row[0] for row in batch if not row[8]}  # withdrawn: no part is read
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
        for pk, channel, day, stance, aff, comment, no_theme, group, withdrawn, mod, ph in batch:
            if withdrawn:
                yield [
                    pseudonym_of(pk),
                    slug,
                    channels.get(channel, channel),
                    day,
                    *withdrawn_row,
                    implementation.get(ph, ""),
                ]
                continue
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
                implementation.get(ph, ""),
            ]
        done += len(batch)
        if progress is not None:
            progress(done)


# --------------------------------------------------------------------------- aggregate rows


def aggregate_header() -> list[str]:
    return [_("Breakdown"), _("Row"), _("Column"), _("Count")]


def iter_aggregate_rows(data: dict) -> Iterator[list]:
    """Flatten ``aggregates.dashboard()`` into (breakdown, row, column, count) rows. Counts are
    numbers; a hidden cell is written as its label, a distinct text per kind: "<5" (1 to 4),
    "hidden (protects a small group)" (5 or more), "not shown" (any number). The file shows a
    part of what the dashboard shows, so the dashboard's suppression protects it too."""
    from feedback.analysis.shapes import ClauseMap, CrossTab, Series
    from feedback.analysis.suppression import export_value

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
        yield [title, str(label), "", export_value(totals[key])]
    for value in data.values():
        if isinstance(value, Series):
            for item in value.items:
                yield [value.title, item.label, "", export_value(item.count)]
        elif isinstance(value, CrossTab):
            for row in value.rows:
                for col_key, col_label in value.columns:
                    yield [value.title, row.label, col_label, export_value(row.cells[col_key])]
        elif isinstance(value, ClauseMap):
            name = _("Comments on clauses")
            for clause in value.clauses:
                label = f"{clause.number}. {clause.heading}".strip()
                yield [name, label, _("total"), export_value(clause.total)]


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
