"""The shapes of the figures (series, cross-tabulations, clause maps) and the helpers that
build them with suppression; the counting rules are in ``feedback.analysis.aggregates``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from feedback.analysis.suppression import suppress_row

NOT_GIVEN = ""


def local_tz() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "CONSULTATION_TIME_ZONE", "Asia/Shanghai"))


# --------------------------------------------------------------------------- data shapes


@dataclass
class Item:
    key: str
    label: str
    count: int | None  # None: suppressed (shown as "<5")


@dataclass
class Series:
    """A one-dimensional breakdown (e.g. opinions by channel)."""

    name: str
    title: str
    items: list[Item]
    total: int
    suppressed: bool = False
    note: str = ""

    def as_rows(self) -> list[tuple[str, int | None]]:
        return [(item.label, item.count) for item in self.items]


@dataclass
class CrossRow:
    key: str
    label: str
    cells: dict[str, int | None]
    total: int | None  # None: suppressed


@dataclass
class CrossTab:
    """Rows × columns (e.g. affected status × stance). Row totals are exact."""

    name: str
    title: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[CrossRow]
    total: int
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
    total: int | None
    by_stance: dict[str, int | None]
    level: int  # 0 (none) … 5 (most comments): the heat-map colour step


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


def active_submissions(consultation):
    """Opinions that count in the breakdowns: every opinion not withdrawn, hidden ones included."""
    from feedback.models import Submission

    return Submission.objects.filter(consultation=consultation, withdrawn=False)


def make_series(
    name, title, keys_labels, counts: dict, *, suppressed: bool, note="", keep_empty=True
) -> Series:
    row = {key: counts.get(key, 0) for key, _label in keys_labels}
    if not keep_empty:
        row = {key: value for key, value in row.items() if value}
    shown = suppress_row(row) if suppressed else dict(row)
    items = [Item(key, str(label), shown[key]) for key, label in keys_labels if key in shown]
    return Series(name, str(title), items, sum(row.values()), suppressed, str(note))


def make_crosstab(name, title, columns, rows_spec, counts, *, suppressed, note="") -> CrossTab:
    """``counts``: {(row_key, col_key): n}; ``rows_spec``: [(row_key, label)].

    Suppressed: each row's cells go through ``suppress_row``, and the row totals (themselves the
    cells of the one-way breakdown, e.g. opinions per affected status) through ``suppress_row``
    across rows, so the cross-tab never shows a number its one-way breakdown hides. A row whose
    total is hidden shows no cell at all (only zeros stay). The grand total stays exact.
    """
    exact_rows = {}
    col_totals = {key: 0 for key, _label in columns}
    for row_key, _row_label in rows_spec:
        exact = {col: counts.get((row_key, col), 0) for col, _label in columns}
        for col, value in exact.items():
            col_totals[col] += value
        exact_rows[row_key] = exact
    row_totals = {key: sum(cells.values()) for key, cells in exact_rows.items()}
    shown_totals = suppress_row(row_totals) if suppressed else row_totals
    rows = []
    for row_key, row_label in rows_spec:
        exact = exact_rows[row_key]
        if not suppressed:
            cells = dict(exact)
        elif shown_totals[row_key] is None:
            cells = {col: (None if value else 0) for col, value in exact.items()}
        else:
            cells = suppress_row(exact)
        rows.append(CrossRow(str(row_key), str(row_label), cells, shown_totals[row_key]))
    table = CrossTab(
        name,
        str(title),
        [(key, str(label)) for key, label in columns],
        rows,
        sum(col_totals.values()),
        suppressed,
        str(note),
    )
    table._exact_column_totals = col_totals
    return table
