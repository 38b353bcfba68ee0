"""Server-rendered SVG charts of the aggregates: no JavaScript, no third-party library.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (named by
``aria-labelledby``), and the page shows the same numbers in a table beside it. Colours and sizes
are SVG presentation attributes (``fill=""``, ``font-size=""``), not ``style=""`` attributes, so
the charts work under a strict Content-Security-Policy. Hidden cells (``None`` for "<5",
``PROTECTS``, ``WITHHELD``: see ``suppression``) draw no bar and carry the same label as in the
tables; a hidden clause total gets the grey of hidden figures, not a colour step. Colours come from the Okabe–Ito palette, which stays distinguishable for
the common colour-vision deficiencies, and every bar also carries its number as text.
"""

from __future__ import annotations

import itertools

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from feedback.analysis.suppression import display, is_hidden

# Okabe–Ito palette. A colour that means something means it on every chart (issue 15): green is
# in favour (support; an alternative preferred), sky blue is "with conditions" (support with
# conditions; an alternative acceptable), vermillion is against (oppose; not acceptable), orange
# is unsure. Other series take only colours that carry no such meaning.
STANCE_COLOURS = {
    "support": "#009E73",
    "conditional": "#56B4E9",
    "oppose": "#D55E00",
    "unsure": "#E69F00",
    "": "#999999",
}
PREFERENCE_COLOURS = {
    "prefer": STANCE_COLOURS["support"],
    "acceptable": STANCE_COLOURS["conditional"],
    "not_acceptable": STANCE_COLOURS["oppose"],
}
MEANING_COLOURS = {**STANCE_COLOURS, **PREFERENCE_COLOURS}
SERIES_COLOURS = ["#0072B2", "#CC79A7", "#F0E442", "#000000"]


def colour_of(key: str, index: int) -> str:
    """The colour of a stance or preference, else the index-th colour without a meaning."""
    return MEANING_COLOURS.get(key) or SERIES_COLOURS[index % len(SERIES_COLOURS)]


HIDDEN_COLOUR = "#DDDDDD"
BAR_COLOUR = "#0072B2"
# Sequential steps for the clause heat map (0 = no comment … 5 = most comments).
HEAT_COLOURS = ["#FFFFFF", "#FEE6CE", "#FDAE6B", "#FD8D3C", "#E6550D", "#A63603"]
HEAT_TEXT = ["#000000", "#000000", "#000000", "#000000", "#FFFFFF", "#FFFFFF"]

WIDTH = 640
LABEL_WIDTH = 200
ROW_HEIGHT = 26
FONT = 'font-family="sans-serif" font-size="13"'
_ids = itertools.count(1)


def _safe(parts: list[str] | str) -> SafeString:
    """Every text put into a chart went through ``escape()``; numbers and colours are ours."""
    return mark_safe("".join(parts))  # noqa: S308


def _open(height: int, title: str, desc: str) -> list[str]:
    n = next(_ids)
    tid, did = f"chart-{n}-title", f"chart-{n}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ta-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{tid} {did}">',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">{escape(desc)}</desc>',
    ]


def _label(x, y, text, anchor="start", fill="#000000") -> str:
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" fill="{fill}" {FONT}>{escape(text)}</text>'
    )


def _truncate(text: str, n: int = 14) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _num(value) -> int:
    """A shown count, or 0 for a hidden one (which draws nothing)."""
    return 0 if is_hidden(value) else int(value or 0)


def _describe(rows: list[tuple[str, int | None]]) -> str:
    return "; ".join(f"{label}: {display(value)}" for label, value in rows)


def bar_chart(
    title: str,
    rows: list[tuple[str, int | None]],
    colour: str = BAR_COLOUR,
    keys: list[str] | None = None,
):
    """Horizontal bars, one per (label, count); None = suppressed. With ``keys`` (stances),
    each bar takes its stance's colour."""
    height = max(1, len(rows)) * ROW_HEIGHT + 10
    top = max([_num(v) for _l, v in rows] + [1])
    scale = (WIDTH - LABEL_WIDTH - 60) / top
    parts = _open(height, title, _describe(rows))
    for i, (label, value) in enumerate(rows):
        y = 5 + i * ROW_HEIGHT
        parts.append(_label(LABEL_WIDTH - 8, y + 17, _truncate(label), "end"))
        width = round(_num(value) * scale, 1)
        if width:
            fill = MEANING_COLOURS.get(keys[i], colour) if keys else colour
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{width}" height="{ROW_HEIGHT - 8}" '
                f'fill="{fill}"/>'
            )
        parts.append(_label(LABEL_WIDTH + width + 6, y + 17, display(value)))
    parts.append("</svg>")
    return _safe(parts)


def stacked_bar_chart(title: str, table) -> SafeString:
    """One horizontal bar per row of a ``CrossTab``, stacked by column, with a legend. The part
    of a row hidden by suppression is drawn grey as one block (never per cell), and only when
    the row total is shown (the block is then that total less the shown cells)."""
    columns = table.columns
    legend_rows = (len(columns) + 3) // 4 + 1
    height = (len(table.rows) + legend_rows) * ROW_HEIGHT + 10
    top = max([_num(row.total) for row in table.rows] + [1])
    scale = (WIDTH - LABEL_WIDTH - 60) / top
    desc = "; ".join(
        f"{row.label}: " + ", ".join(f"{label} {display(row.cells[key])}" for key, label in columns)
        for row in table.rows
    )
    parts = _open(height, title, desc)
    for i, row in enumerate(table.rows):
        y = 5 + i * ROW_HEIGHT
        parts.append(_label(LABEL_WIDTH - 8, y + 17, _truncate(row.label), "end"))
        x = float(LABEL_WIDTH)
        shown = 0
        for key, label in columns:
            value = _num(row.cells.get(key))
            if not value:
                continue
            shown += value
            width = round(value * scale, 1)
            colour = colour_of(key, columns.index((key, label)))
            parts.append(
                f'<rect x="{x}" y="{y + 4}" width="{width}" height="{ROW_HEIGHT - 8}" '
                f'fill="{colour}"><title>{escape(label)}: {value}</title></rect>'
            )
            x += width
        hidden = 0 if is_hidden(row.total) else _num(row.total) - shown
        if hidden > 0:
            width = round(hidden * scale, 1)
            parts.append(
                f'<rect x="{x}" y="{y + 4}" width="{width}" height="{ROW_HEIGHT - 8}" '
                f'fill="{HIDDEN_COLOUR}"/>'
            )
            x += width
        parts.append(_label(round(x + 6, 1), y + 17, display(row.total)))
    # Legend.
    y0 = 5 + len(table.rows) * ROW_HEIGHT + 6
    entries = [(label, colour_of(key, i)) for i, (key, label) in enumerate(columns)]
    if table.suppressed:
        from django.utils.translation import gettext as _

        entries.append((_("hidden"), HIDDEN_COLOUR))
    for i, (label, colour) in enumerate(entries):
        x = 10 + (i % 4) * 155
        y = y0 + (i // 4) * ROW_HEIGHT
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{colour}"/>')
        parts.append(_label(x + 20, y + 12, _truncate(label, 10)))
    parts.append("</svg>")
    return _safe(parts)


def column_chart(title: str, rows: list[tuple[str, int | None]]) -> SafeString:
    """Vertical columns over time (one per day), with the first, last and a few dates below."""
    height, bottom, left = 220, 180, 40
    n = max(1, len(rows))
    step = (WIDTH - left - 10) / n
    top = max([_num(v) for _l, v in rows] + [1])
    scale = (bottom - 20) / top
    parts = _open(height, title, _describe(rows))
    parts.append(
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - 5}" y2="{bottom}" stroke="#666666"/>'
    )
    parts.append(_label(left - 4, 20, str(top), "end"))
    parts.append(_label(left - 4, bottom, "0", "end"))
    tick_every = max(1, n // 6)
    for i, (label, value) in enumerate(rows):
        x = round(left + i * step, 1)
        h = round(_num(value) * scale, 1)
        if h:
            parts.append(
                f'<rect x="{x}" y="{round(bottom - h, 1)}" width="{max(1.0, round(step * 0.8, 1))}" '
                f'height="{h}" fill="{BAR_COLOUR}"><title>{escape(label)}: {value}</title></rect>'
            )
        if i % tick_every == 0 or i == n - 1:
            parts.append(_label(x, bottom + 18, label[5:] if len(label) == 10 else label))
    parts.append("</svg>")
    return _safe(parts)


def heat_colour(level: int) -> str:
    """The colour of a step; -1 (a hidden total) is the grey of hidden figures."""
    return HIDDEN_COLOUR if level < 0 else HEAT_COLOURS[min(5, level)]


def heat_swatch(
    level: int, value: int | None, label: str = "", *, text: str | None = None
) -> SafeString:
    """A small square in the heat-map colour with the count in it (next to each clause)."""
    fill, ink = heat_colour(level), HEAT_TEXT[max(0, min(5, level))]
    if text is None:
        text = display(value) if level else "0"
    if is_hidden(value) and level < 0 and value is not None:
        text = "–"  # "hidden" / "not shown" does not fit: the table cell beside it says it
    return _safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ta-heat" viewBox="0 0 48 28" '
        f'width="48" height="28" role="img" aria-label="{escape(label)}">'
        f'<rect x="0.5" y="0.5" width="47" height="27" fill="{fill}" stroke="#999999"/>'
        f'<text x="24" y="19" text-anchor="middle" fill="{ink}" {FONT}>{escape(text)}</text>'
        "</svg>"
    )
