"""The shapes of the figures (series, cross-tabulations, clause maps), the helpers that build
them, and the helpers that put them into a suppression ``Release`` and read the outcome back;
the counting rules are in ``feedback.analysis.aggregates``.

A shown count is an ``int``; a hidden one is ``None`` ("<5"), ``suppression.PROTECTS`` or
``suppression.WITHHELD`` (see ``feedback.analysis.suppression``).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from feedback.analysis.suppression import WITHHELD, Release, Shown

NOT_GIVEN = ""


def local_tz() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "CONSULTATION_TIME_ZONE", "Asia/Shanghai"))


# --------------------------------------------------------------------------- data shapes


@dataclass
class Item:
    key: str
    label: str
    count: Shown  # None: "<5"; PROTECTS / WITHHELD: hidden for another reason


@dataclass
class Series:
    """A one-dimensional breakdown (e.g. opinions by channel)."""

    name: str
    title: str
    items: list[Item]
    total: Shown
    suppressed: bool = False
    note: str = ""

    def as_rows(self) -> list[tuple[str, int | None]]:
        return [(item.label, item.count) for item in self.items]


@dataclass
class CrossRow:
    key: str
    label: str
    cells: dict[str, Shown]
    total: Shown


@dataclass
class CrossTab:
    """Rows × columns (e.g. affected status × stance). Row totals are exact."""

    name: str
    title: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[CrossRow]
    total: Shown
    suppressed: bool = False
    note: str = ""

    def column_totals(self) -> dict[str, int]:
        """Exact column sums; only shown when not suppressed."""
        return self._exact_column_totals

    _exact_column_totals: dict[str, int] = field(default_factory=dict, repr=False)


@dataclass
class ClauseStat:
    clause_id: int
    number: int
    heading: str
    text: str
    total: Shown
    by_stance: dict[str, Shown]
    level: int  # 0 (none) … 5 (most comments): the heat-map colour step; -1: hidden


@dataclass
class ClauseMap:
    version_number: int | None
    clauses: list[ClauseStat]
    max_total: int
    suppressed: bool = False


# --------------------------------------------------------------------------- vocabularies


def stance_columns() -> list[tuple[str, str]]:
    from feedback.models import Stance

    return [*Stance.choices, (NOT_GIVEN, _("not given"))]


def affected_rows() -> list[tuple[str, str]]:
    from feedback.models import AffectedStatus

    return [*AffectedStatus.choices, (NOT_GIVEN, _("not given"))]


@contextmanager
def consistent_reads():
    """The queries inside read one snapshot of the database (REPEATABLE READ), so that figures
    read one after another add up even while opinions arrive (suppression relies on it). Inside
    a transaction already (a test, an outer ``atomic``) the reads run as they are."""
    from django.db import connection, transaction

    if connection.in_atomic_block or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def consultation_submissions(consultation):
    """The consultation's register: every opinion of the consultation phase, withdrawn ones
    included. Opinions given during the decision's implementation (issue 16 point 5) are counted
    apart (``feedback.after_decision``) and never change the figures frozen at the decision."""
    from feedback.models import Phase, Submission

    return Submission.objects.filter(consultation=consultation, phase=Phase.CONSULTATION)


def active_submissions(consultation):
    """Opinions that count in the breakdowns: every opinion not withdrawn, hidden ones included
    (of the consultation phase: ``consultation_submissions``)."""
    return consultation_submissions(consultation).filter(withdrawn=False)


TOTAL = "*"


def make_series(
    name, title, keys_labels, counts: dict, *, suppressed: bool, note="", keep_empty=True
) -> Series:
    """A one-way breakdown. ``suppressed``: suppressed on its own, its total taken as known (a
    page that shows several figures suppresses them together: ``suppress_release``)."""
    row = {key: counts.get(key, 0) for key, _label in keys_labels}
    if not keep_empty:
        row = {key: value for key, value in row.items() if value}
    items = [Item(key, str(label), row[key]) for key, label in keys_labels if key in row]
    series = Series(name, str(title), items, sum(row.values()), False, str(note))
    if suppressed:
        release = Release()
        release.add((name, TOTAL), series.total, headline=True)
        apply = add_series(release, series, (name, TOTAL))
        series = apply(release.solve())
    return series


def make_crosstab(name, title, columns, rows_spec, counts, *, suppressed, note="") -> CrossTab:
    """``counts``: {(row_key, col_key): n}; ``rows_spec``: [(row_key, label)].

    Row totals are shown beside each row; the column totals and the grand total are known to
    a reader (they are the one-way breakdowns and the number of opinions). ``suppressed``:
    suppressed on its own with the grand total known (a page suppresses all its figures
    together: ``suppress_release``).
    """
    col_totals = {key: 0 for key, _label in columns}
    rows = []
    for row_key, row_label in rows_spec:
        exact = {col: counts.get((row_key, col), 0) for col, _label in columns}
        for col, value in exact.items():
            col_totals[col] += value
        rows.append(CrossRow(str(row_key), str(row_label), exact, sum(exact.values())))
    table = CrossTab(
        name,
        str(title),
        [(key, str(label)) for key, label in columns],
        rows,
        sum(col_totals.values()),
        False,
        str(note),
    )
    table._exact_column_totals = col_totals
    if suppressed:
        release = Release()
        release.add((name, TOTAL, TOTAL), table.total, headline=True)
        apply = add_crosstab(release, table)
        table = apply(release.solve())
    return table


# --------------------------------------------------------------------------- into a release


def add_series(release: Release, series: Series, total_key, *, lower: int = 0):
    """Put the items of ``series`` into ``release`` as cells ``(series.name, item.key)`` that
    sum to ``total_key`` (added by the caller). Returns ``apply(outcome) -> Series``."""
    keys = []
    for item in series.items:
        key = (series.name, item.key)
        release.add(key, item.count, lower=lower)
        keys.append(key)
    release.equal(total_key, keys)

    def apply(outcome) -> Series:
        items = [
            Item(item.key, item.label, outcome[(series.name, item.key)]) for item in series.items
        ]
        total = outcome.get(total_key, WITHHELD)  # a total the page does not show
        return Series(series.name, series.title, items, total, True, series.note)

    return apply


def add_crosstab(
    release: Release,
    table: CrossTab,
    *,
    row_total=None,
    col_total=None,
    grand=None,
    row_lower: int = 0,
):
    """Put ``table`` into ``release``: cells ``(name, row, col)``; each row's total (shown in the
    table) is ``row_total(row_key)`` when given (a cell of a one-way breakdown, already added),
    else ``(name, row, TOTAL)``; each column's total is ``col_total(col_key)`` when given, else
    ``(name, TOTAL, col)``, not shown; the grand total is ``grand`` (already added) or
    ``(name, TOTAL, TOTAL)``, not shown. ``row_lower``: a lower bound of each row total known
    to the reader (1 when only rows with opinions are listed). Returns ``apply(outcome)``."""
    name = table.name
    row_keys = {}
    for row in table.rows:
        key = row_total(row.key) if row_total else (name, row.key, TOTAL)
        release.add(key, row.total, lower=row_lower)
        row_keys[row.key] = key
        cells = []
        for col, _label in table.columns:
            release.add((name, row.key, col), row.cells[col])
            cells.append((name, row.key, col))
        release.equal(key, cells)
    col_keys = {}
    exact_cols = table._exact_column_totals or {
        col: sum(row.cells[col] for row in table.rows) for col, _l in table.columns
    }
    for col, _label in table.columns:
        key = col_total(col) if col_total else (name, TOTAL, col)
        if key not in release:
            release.add(key, exact_cols[col], published=False)
        col_keys[col] = key
        release.equal(key, [(name, row.key, col) for row in table.rows])
    grand_key = grand or (name, TOTAL, TOTAL)
    if grand_key not in release:
        release.add(grand_key, table.total, published=False)
    release.equal(grand_key, list(row_keys.values()))
    release.equal(grand_key, list(col_keys.values()))

    def apply(outcome) -> CrossTab:
        rows = [
            CrossRow(
                row.key,
                row.label,
                {col: outcome[(name, row.key, col)] for col, _l in table.columns},
                outcome[row_keys[row.key]],
            )
            for row in table.rows
        ]
        shown = CrossTab(
            name,
            table.title,
            table.columns,
            rows,
            outcome.get(grand_key, WITHHELD),  # not shown on the page
            True,
            table.note,
        )
        return shown

    return apply
