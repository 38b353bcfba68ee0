"""Small-cell suppression for every breakdown shown outside the owning department's analysts.

A count under ``THRESHOLD`` (5) is replaced by ``None`` and shown as "<5" (R42, R53). Totals
are kept exact, so a suppressed cell cannot always be recovered by subtraction only when at
least two cells in a row are suppressed; ``suppress_row`` makes sure of that.
"""

from __future__ import annotations

from collections.abc import Mapping

THRESHOLD = 5


def suppress(count: int | None) -> int | None:
    """The count, or None when it is between 1 and THRESHOLD - 1 (zero stays zero)."""
    if count is None:
        return None
    return None if 0 < count < THRESHOLD else count


def suppress_row(row: Mapping[str, int]) -> dict[str, int | None]:
    """Suppress small cells of one row; if exactly one cell is hidden, hide the next smallest too.

    Otherwise the hidden value could be computed back from the row total (complementary
    suppression).
    """
    out: dict[str, int | None] = {key: suppress(value) for key, value in row.items()}
    hidden = [key for key, value in out.items() if value is None and row[key]]
    if len(hidden) == 1:
        candidates = sorted(
            (value, key) for key, value in row.items() if out[key] is not None and value > 0
        )
        if candidates:
            out[candidates[0][1]] = None
    return out


def display(count: int | None) -> str:
    """How a possibly suppressed count is written in tables and charts."""
    return "<5" if count is None else str(count)
