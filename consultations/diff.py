"""Clause-by-clause differences between two draft versions (R20: changes made to the draft).

Clauses are matched by number, the stable anchor residents cite. Inline differences are at the
character level because Chinese text has no spaces to split words on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from consultations.models import Clause, DraftVersion

ADDED, REMOVED, CHANGED, UNCHANGED = "added", "removed", "changed", "unchanged"
EQUAL, INSERT, DELETE = "equal", "insert", "delete"

Segments = list[tuple[str, str]]


@dataclass
class ClauseDiff:
    number: int
    status: str
    old: Clause | None
    new: Clause | None
    heading_segments: Segments = field(default_factory=list)
    segments: Segments = field(default_factory=list)


def inline_diff(old: str, new: str) -> Segments:
    """[(op, text)] with op in equal/insert/delete; a replacement is a delete then an insert."""
    if old == new:
        return [(EQUAL, old)] if old else []
    out: Segments = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append((EQUAL, old[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            out.append((DELETE, old[i1:i2]))
        if tag in ("insert", "replace"):
            out.append((INSERT, new[j1:j2]))
    return out


def draft_version_diff(old: DraftVersion, new: DraftVersion) -> list[ClauseDiff]:
    """One ClauseDiff per clause number in either version, in number order."""
    before = {c.number: c for c in old.clauses.all()}
    after = {c.number: c for c in new.clauses.all()}
    diffs = []
    for number in sorted(before.keys() | after.keys()):
        a, b = before.get(number), after.get(number)
        if a is None:
            diffs.append(
                ClauseDiff(number, ADDED, None, b, [(INSERT, b.heading)], [(INSERT, b.text)])
            )
        elif b is None:
            diffs.append(
                ClauseDiff(number, REMOVED, a, None, [(DELETE, a.heading)], [(DELETE, a.text)])
            )
        else:
            same = (a.heading, a.text) == (b.heading, b.text)
            diffs.append(
                ClauseDiff(
                    number,
                    UNCHANGED if same else CHANGED,
                    a,
                    b,
                    inline_diff(a.heading, b.heading),
                    inline_diff(a.text, b.text),
                )
            )
    return diffs
