"""Small-cell suppression for every figure shown outside the owning department's analysts.

One function for every page and file (R42, R53, issue 12 point 8): the analysts' dashboard when
suppressed, its CSV/XLSX aggregates, the 稳评 assessor's dashboard and the public response page
and its PDF. Suppression is done per **release**: everything one page or one file shows to one
audience, because tables on the same page share their margins (a channel table and a stance ×
channel table share the channel totals, a "86 / 122" line is a cell and a margin, a percentage
is a cell over a margin).

A release is a set of cells (exact counts, each with a key) and the relations a reader can know
between them: ``equal`` (a total is the sum of its parts), ``at_least`` (the parts cover the
total: an opinion coded with several themes counts under each) and ``part_of`` (a subgroup is
no larger than its group). ``Release.solve()`` decides what is shown:

* **Primary suppression**: every count from 1 to 4 is hidden and labelled "<5" (``SMALL``,
  written ``None`` in the shapes, as before). Zero is shown: it says that nobody in a group gave
  that answer, which identifies no one, and hiding every zero would hide most of a small table.
  A zero still counts as known information in the audit below, so a zero that would give a
  hidden cell away is dealt with there.
* **Headline totals** (received, withdrawn, counted in the analysis) are published exactly: the
  response must say how many opinions were received and withdrawn. They are margins every
  reader knows.
* **Complementary suppression and audit**: the release is then attacked as a reader would: for
  every hidden cell the smallest and largest values consistent with everything shown (each
  shown number, every relation above, "<5" meaning 1–4 and "hidden" meaning 5 or more) are
  computed by linear programming (``scipy.optimize.linprog``, HiGHS), after a fast pass that
  catches the sums with a single unknown. A hidden cell whose range holds a single whole number
  is *pinned*; to protect it the smallest shown cell of 5 or more in one of its relations is
  hidden too, labelled "hidden (protects a small group)" (``PROTECTS``), never "<5". Where no
  such cell exists (a tiny table whose only other cells are zeros, or a "hidden" label that
  itself gives the answer because the row total is too small), the cells that give it away are
  marked "not shown" (``WITHHELD``), a label that claims nothing about their size, in this
  order: "hidden" cells of the relation, its zeros, its "<5" cells, and last a headline total.
  The audit runs again until no hidden cell is pinned. The steps only ever hide more, so it ends.
* **Percentages** of a hidden count (or over a hidden total) are not shown (``Outcome.share``).

The analysts of the owning department see exact counts: callers simply do not build a release.
"""

# Size: the release, the steps that choose what to hide and the reader's audit by linear
# programming work on one status list and one set of relations; apart, each would have to expose
# the others' internals.

from __future__ import annotations

import logging
import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

THRESHOLD = 5


class Hidden:
    """A cell hidden for another reason than being small (the small ones are ``None``)."""

    __slots__ = ("kind",)

    def __init__(self, kind: str):
        self.kind = kind

    def __repr__(self) -> str:
        return f"Hidden({self.kind!r})"

    def __str__(self) -> str:
        return str(display(self))

    def __reduce__(self):  # pickling (the cache) keeps the singletons
        return (_hidden, (self.kind,))

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


#: 1–4: shown "<5". ``None`` so that every shape keeps its old meaning of "small, hidden".
SMALL = None
#: 5 or more, hidden so that a small cell cannot be worked out: "hidden (protects a small group)".
PROTECTS = Hidden("protects")
#: Not shown, with no claim about its size (zero, small or large): "not shown".
WITHHELD = Hidden("withheld")


def _hidden(kind: str) -> Hidden:
    return PROTECTS if kind == "protects" else WITHHELD


Shown = int | None | Hidden

LABELS = {
    "small": _("<5"),
    "protects": _("hidden (protects a small group)"),
    "withheld": _("not shown"),
}
EXPLANATIONS = {
    "small": _("fewer than 5 (1 to 4)"),
    "protects": _("5 or more, hidden so that a small group elsewhere cannot be worked out"),
    "withheld": _(
        "not shown, so that a small group cannot be worked out; it may be any number, 0 included"
    ),
}


def is_hidden(value) -> bool:
    return value is None or isinstance(value, Hidden)


def kind_of(value) -> str:
    """ "" for a shown number, else "small", "protects" or "withheld"."""
    if value is None:
        return "small"
    if isinstance(value, Hidden):
        return value.kind
    return ""


def suppress(count: int | None) -> int | None:
    """Primary suppression of one count on its own: None when it is between 1 and 4 (zero stays
    zero). Only for a figure that is in no relation with any other shown figure."""
    if count is None:
        return None
    return None if 0 < count < THRESHOLD else count


def display(value) -> str:
    """How a possibly suppressed count is written in tables, charts and exports."""
    kind = kind_of(value)
    return str(LABELS[kind]) if kind else str(value)


def explanation(value) -> str:
    kind = kind_of(value)
    return str(EXPLANATIONS[kind]) if kind else ""


def css_class(value) -> str:
    kind = kind_of(value)
    return f"tj-suppressed tj-suppressed-{kind}" if kind else ""


def export_value(value):
    """A number as a number; a hidden cell as its label (a distinct text per kind)."""
    return display(value) if is_hidden(value) else value


# --------------------------------------------------------------------------- the release

_SHOWN, _SMALL, _PROTECTS, _WITHHELD, _LATENT = range(5)
_OUT = {_SMALL: SMALL, _PROTECTS: PROTECTS, _WITHHELD: WITHHELD}
_EQ, _LE = "eq", "le"
_MAX_ROUNDS = 200
_EPS = 1e-6


@dataclass
class Outcome:
    """What a release shows: ``outcome[key]`` is the count, ``None`` ("<5"), ``PROTECTS`` or
    ``WITHHELD``."""

    values: dict
    exact: dict
    rounds: int = 0
    linear_programs: int = 0
    unresolved: list = field(default_factory=list)

    def __getitem__(self, key) -> Shown:
        return self.values[key]

    def get(self, key, default=None):
        return self.values.get(key, default)

    def __contains__(self, key) -> bool:
        return key in self.values

    def share(self, part, whole) -> float | None:
        """``part`` as a percentage of ``whole`` (one decimal), or None when either is hidden
        or the whole is zero."""
        p, w = self.values.get(part), self.values.get(whole)
        if is_hidden(p) or is_hidden(w) or not w:
            return None
        return round(100 * p / w, 1)

    def hidden(self) -> dict:
        """{key: "small" | "protects" | "withheld"} of every hidden published cell."""
        return {key: kind_of(v) for key, v in self.values.items() if is_hidden(v)}


class Release:
    """Everything one page or file shows to one audience, with what a reader knows about it."""

    def __init__(self) -> None:
        self._index: dict[Hashable, int] = {}
        self.keys: list[Hashable] = []
        self.values: list[int] = []
        self.headline: list[bool] = []
        self.published: list[bool] = []
        self.lower: list[int] = []
        self.primary: list[bool] = []
        self.constraints: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = []
        self._by_cell: list[list[int]] = []

    # ----------------------------------------------------------------- building

    def add(
        self,
        key: Hashable,
        value: int,
        *,
        headline: bool = False,
        published: bool = True,
        lower: int = 0,
        primary: bool = True,
    ) -> Hashable:
        """A count. ``published=False``: a figure the page does not show but whose relations
        the reader knows (e.g. a column total). ``lower``: a bound every reader knows (a row
        listed only when it has opinions has at least 1). ``primary=False``: not a count of
        people (e.g. of campaign groups): never hidden for being small, but it may be marked
        "not shown" when it would give a small count away. The same key added twice is one cell
        (its value must agree)."""
        value = int(value or 0)
        if key in self._index:
            i = self._index[key]
            if self.values[i] != value:
                raise ValueError(f"cell {key!r} added with {value} and {self.values[i]}")
            self.published[i] = self.published[i] or published
            self.headline[i] = self.headline[i] or headline
            self.lower[i] = max(self.lower[i], lower)
            self.primary[i] = self.primary[i] and primary
            return key
        self._index[key] = len(self.keys)
        self.keys.append(key)
        self.values.append(value)
        self.headline.append(headline)
        self.published.append(published)
        self.lower.append(lower)
        self.primary.append(primary)
        self._by_cell.append([])
        return key

    def __contains__(self, key) -> bool:
        return key in self._index

    def exact(self, key: Hashable) -> int:
        return self.values[self._index[key]]

    def _ids(self, keys: Iterable[Hashable]) -> tuple[int, ...]:
        return tuple(self._index[k] for k in keys)

    def _constraint(self, kind, plus, minus) -> None:
        plus, minus = self._ids(plus), self._ids(minus)
        if not plus and not minus:
            return
        n = len(self.constraints)
        self.constraints.append((kind, plus, minus))
        for i in set(plus) | set(minus):
            self._by_cell[i].append(n)

    def equal(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """``total`` is the sum of ``parts``."""
        self._constraint(_EQ, (total,), tuple(parts))

    def at_least(self, total: Hashable, parts: Iterable[Hashable]) -> None:
        """The parts together cover ``total`` (their sum is at least the total)."""
        self._constraint(_LE, (total,), tuple(parts))

    def part_of(self, part: Hashable, whole: Hashable, *, times: int = 1) -> None:
        """``part`` is no larger than ``whole`` (``times``: ``times`` × part is no larger, e.g.
        campaign groups of at least two opinions each)."""
        self._constraint(_LE, (part,) * times, (whole,))

    # ----------------------------------------------------------------- solving

    def solve(self) -> Outcome:
        status = [_SHOWN if pub else _LATENT for pub in self.published]
        for i, value in enumerate(self.values):
            if (
                self.published[i]
                and self.primary[i]
                and not self.headline[i]
                and 0 < value < THRESHOLD
            ):
                status[i] = _SMALL
        self._withhold_inconsistent(status)
        rounds = lps = 0
        unresolved: list = []
        while rounds < _MAX_ROUNDS:
            rounds += 1
            for _step in range(4 * len(self.keys) + 1):  # each step hides or relabels one more
                if not self._propagate(status):
                    break
            pins, n = self._audit(status)
            lps += n
            harmless = [i for i in pins if self._not_small(i)]
            for i in harmless:
                del pins[i]
            if not pins:
                # A hidden zero, or a hidden count of 5 or more, that a reader can work out
                # anyway tells nothing more when shown: it is shown (this changes nothing a
                # reader can work out, so no other cell becomes known by it).
                for i in harmless:
                    status[i] = _SHOWN
                break
            touched: set[int] = set()
            progressed = False
            for i, why in pins.items():
                if touched & set(self._by_cell[i]):
                    continue  # a neighbour was just changed: audit again first
                if self._protect(i, status, touched, why):
                    progressed = True
            if not progressed:
                unresolved = [self.keys[i] for i in pins]
                log.error("suppression: cells still pinned: %r", unresolved)
                break
        values = {}
        for i, key in enumerate(self.keys):
            if not self.published[i]:
                continue
            values[key] = self.values[i] if status[i] == _SHOWN else _OUT[status[i]]
        exact = dict(zip(self.keys, self.values, strict=True))
        return Outcome(values, exact, rounds, lps, unresolved)

    # The steps below work on cell ids and the status list.

    def _members(self, c: int) -> tuple[int, ...]:
        _kind, plus, minus = self.constraints[c]
        return plus + minus

    def _satisfied(self, c: int) -> bool:
        kind, plus, minus = self.constraints[c]
        diff = sum(self.values[i] for i in plus) - sum(self.values[i] for i in minus)
        return diff == 0 if kind == _EQ else diff <= 0

    def _withhold_inconsistent(self, status: list[int]) -> None:
        """Figures read at different moments can disagree (an opinion arrived in between). A
        relation the exact figures break is not shown at all: its cells are withheld."""
        for c in range(len(self.constraints)):
            if not self._satisfied(c):
                log.warning("suppression: inconsistent figures %r", [
                    self.keys[i] for i in self._members(c)
                ])  # fmt: skip
                for i in self._members(c):
                    if self.published[i] and not self.headline[i]:
                        status[i] = _WITHHELD

    def _hidden_published(self, i: int, status: list[int]) -> bool:
        return self.published[i] and status[i] in (_SMALL, _PROTECTS, _WITHHELD)

    def _propagate(self, status: list[int]) -> bool:
        """Fast pass: a sum with a single unknown gives it away. Protects the first hidden cell
        found that way and says so (True), or returns False when there is none."""
        known = [s == _SHOWN for s in status]
        queue = [c for c, (kind, _p, _m) in enumerate(self.constraints) if kind == _EQ]
        queued = set(queue)
        while queue:
            c = queue.pop()
            queued.discard(c)
            unknown = [i for i in self._members(c) if not known[i]]
            if len(unknown) != 1:
                continue
            i = unknown[0]
            if self._hidden_published(i, status) and not self._not_small(i):
                if self._protect(i, status, set()):
                    return True
                continue  # nothing left to do here; the audit will report it
            known[i] = True  # a derived unpublished figure: now known to the reader
            for d in self._by_cell[i]:
                if d not in queued and self.constraints[d][0] == _EQ:
                    queue.append(d)
                    queued.add(d)
        return False

    def _not_small(self, i: int) -> bool:
        """A hidden cell that is 0 or 5 or more (hidden to leave room around a small count):
        when a reader can work it out anyway it gives no small group away, and it is then
        shown at the end."""
        return self.values[i] == 0 or self.values[i] >= THRESHOLD

    def _fixed_by_shown(self, m: int, status: list[int]) -> int:
        """How useful hiding ``m`` would be on its own: 0 when no sum gives it back, 1 when a sum
        of other shown cells does (another cell will have to be hidden with it), 2 when a sum of
        shown headline totals and zeros does (useless: e.g. the only week of a consultation,
        equal to the headline total)."""
        worst = 0
        for c in self._by_cell[m]:
            if self.constraints[c][0] != _EQ:
                continue
            others = [j for j in self._members(c) if j != m]
            if all(status[j] == _SHOWN for j in others):
                if all(self.headline[j] or self.values[j] == 0 for j in others):
                    return 2
                worst = 1
        return worst

    def _certificate_candidates(self, why: set[int], status: list[int]) -> list[int]:
        """Shown cells of 5 or more in the relations that give a cell away (``why``, from the
        linear programme's dual values): hiding one of them breaks that derivation."""
        found = []
        for c in why:
            for m in self._members(c):
                if (
                    status[m] == _SHOWN
                    and self.published[m]
                    and not self.headline[m]
                    and self.values[m] >= THRESHOLD
                ):
                    found.append((0, self.values[m], m))
        return self._best(list(set(found)), status)

    def _candidates(self, i: int, status: list[int]) -> list[int]:
        """Shown cells of 5 or more next to ``i``: in its relations (equalities first), or one
        step further through an unknown neighbour."""
        found: list[tuple[int, int, int]] = []
        seen = {i}
        frontier = [i]
        for depth in range(2):
            nxt = []
            for j in frontier:
                ordered = sorted(self._by_cell[j], key=lambda c: self.constraints[c][0] != _EQ)
                for c in ordered:
                    rank = (depth, self.constraints[c][0] != _EQ)
                    for m in self._members(c):
                        if m in seen:
                            continue
                        seen.add(m)
                        if (
                            status[m] == _SHOWN
                            and self.published[m]
                            and not self.headline[m]
                            and self.values[m] >= THRESHOLD
                        ):
                            found.append((rank, self.values[m], m))
                        elif status[m] != _SHOWN:
                            nxt.append(m)
            best = self._best(found, status)
            if best:
                return best
            frontier = nxt
        return []

    def _best(self, found: list[tuple], status: list[int]) -> list[int]:
        """The smallest candidate of the best rank whose hiding is of use: one that no sum of
        shown cells gives back, else one that a sum of other shown cells gives back (they will
        be hidden in turn), never one that headline totals and zeros give back."""
        found = sorted(found)
        k = 0
        while k < len(found):
            rank = found[k][0]
            second = None
            while k < len(found) and found[k][0] == rank:
                m = found[k][2]
                fixed = self._fixed_by_shown(m, status)
                if fixed == 0:
                    return [m]
                if fixed == 1 and second is None:
                    second = m
                k += 1
            if second is not None:
                return [second]
        return []

    def _region(self, i: int, depth: int) -> list[set[int]]:
        """The cells within 1 … ``depth`` relations of ``i`` (headline totals are reached but
        not gone through: they are known to everyone and link everything)."""
        rings, seen, frontier = [], {i}, [i]
        for _d in range(depth):
            ring = set()
            for j in frontier:
                for c in self._by_cell[j]:
                    ring.update(m for m in self._members(c) if m not in seen)
            seen |= ring
            rings.append(ring | ({i} if not rings else set()))
            frontier = [m for m in ring if not self.headline[m]]
            if not frontier:
                break
        return rings

    def _protect(
        self, i: int, status: list[int], touched: set[int], why: set[int] | None = None
    ) -> bool:
        """Hide or relabel one thing more so that cell ``i`` is no longer given away.

        First, as in any complementary suppression, the smallest shown cell of 5 or more next to
        it is hidden ("hidden (protects a small group)"). When there is none, or when that is
        not enough, the cells around it, ring by ring outwards, lose what gives ``i`` away: a
        "hidden" label (which says "5 or more") becomes "not shown", then zeros become "not
        shown", then "<5" labels (which say "1 to 4"), then counts that are not of people
        (campaign groups), then cells of 5 or more are hidden. A headline total is hidden only when nothing else is
        left, and last every label around it becomes "not shown"."""
        candidates = self._certificate_candidates(why or set(), status) or self._candidates(
            i, status
        )
        if candidates:
            self._set(candidates[0], _PROTECTS, status, touched)
            return True
        steps = (
            (_WITHHELD, lambda m: status[m] == _PROTECTS),
            (
                _WITHHELD,
                lambda m: (
                    status[m] == _SHOWN
                    and self.published[m]
                    and not self.headline[m]
                    and self.values[m] == 0
                ),
            ),
            (_WITHHELD, lambda m: status[m] == _SMALL and not self.headline[m]),
            (
                _WITHHELD,
                lambda m: (
                    status[m] == _SHOWN
                    and self.published[m]
                    and not self.headline[m]
                    and not self.primary[m]
                ),
            ),
            (
                _PROTECTS,
                lambda m: (
                    status[m] == _SHOWN
                    and self.published[m]
                    and not self.headline[m]
                    and self.values[m] >= THRESHOLD
                ),
            ),
        )
        region: set[int] = set()
        for ring in self._region(i, len(self.keys)):
            region |= ring
            for new, wanted in steps:
                chosen = sorted(m for m in region if wanted(m))
                if chosen:
                    for m in chosen:
                        self._set(m, new, status, touched)
                    return True
        headlines = sorted(
            m for m in region if status[m] == _SHOWN and self.headline[m] and self.values[m] > 0
        )
        if headlines:
            m = headlines[0]
            self._set(m, _SMALL if self.values[m] < THRESHOLD else _PROTECTS, status, touched)
            return True
        labelled = sorted(m for m in region if status[m] in (_SMALL, _PROTECTS))
        if labelled:  # even the size a label states gives it away: say nothing at all
            for m in labelled:
                self._set(m, _WITHHELD, status, touched)
            return True
        return False

    def _set(self, m: int, new: int, status: list[int], touched: set[int]) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("suppression: %r %s -> %s", self.keys[m], status[m], new)
        status[m] = new
        touched.update(self._by_cell[m])

    # ----------------------------------------------------------------- the reader's bounds

    def bounds(self, status: list[int], i: int) -> tuple[float, float | None]:
        lo = self.lower[i]
        s = status[i]
        if s == _SMALL:
            return max(1, lo), THRESHOLD - 1
        if s == _PROTECTS:
            return max(THRESHOLD, lo), None
        return lo, None

    def _audit(self, status: list[int]) -> tuple[dict[int, set[int]], int]:
        """Hidden published cells whose value a reader can pin down, by linear programming over
        each connected group of unknown cells. Returns ({pinned id: the relations that give it
        away}, linear programs solved)."""
        unknown = [i for i, s in enumerate(status) if s != _SHOWN]
        if not any(self._hidden_published(i, status) for i in unknown):
            return {}, 0
        parent = {i: i for i in unknown}

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for c in range(len(self.constraints)):
            vs = [m for m in self._members(c) if status[m] != _SHOWN]
            for a in vs[1:]:
                ra, rb = find(vs[0]), find(a)
                if ra != rb:
                    parent[ra] = rb
        groups: dict[int, list[int]] = {}
        for i in unknown:
            groups.setdefault(find(i), []).append(i)
        pinned: dict[int, set[int]] = {}
        lps = 0
        for cells in groups.values():
            if not any(self._hidden_published(i, status) for i in cells):
                continue
            found, n = self._audit_group(cells, status)
            pinned.update(found)
            lps += n
        return dict(sorted(pinned.items())), lps

    def _audit_group(self, cells: list[int], status: list[int]) -> tuple[dict[int, set[int]], int]:
        import numpy as np
        from scipy.optimize import linprog
        from scipy.sparse import csr_array

        col = {i: k for k, i in enumerate(cells)}
        cell_set = set(cells)
        cons = sorted({c for i in cells for c in self._by_cell[i]})
        eq_rows, eq_b, ub_rows, ub_b = [], [], [], []
        eq_ids, ub_ids = [], []
        for c in cons:
            kind, plus, minus = self.constraints[c]
            row: dict[int, float] = {}
            rhs = 0.0
            for sign, ids in ((1.0, plus), (-1.0, minus)):
                for m in ids:
                    if m in cell_set:
                        row[col[m]] = row.get(col[m], 0.0) + sign
                    else:
                        rhs -= sign * self.values[m]
            if kind == _EQ:
                eq_rows.append(row)
                eq_b.append(rhs)
                eq_ids.append(c)
            else:
                ub_rows.append(row)
                ub_b.append(rhs)
                ub_ids.append(c)
        n = len(cells)
        big = 10 * (max(self.values) + THRESHOLD) + 10
        bounds = []
        for i in cells:
            lo, hi = self.bounds(status, i)
            bounds.append((lo, big if hi is None else hi))

        def matrix(rows):
            if not rows:
                return None
            data, ri, ci = [], [], []
            for r, row in enumerate(rows):
                for k, v in row.items():
                    data.append(v)
                    ri.append(r)
                    ci.append(k)
            return csr_array((data, (ri, ci)), shape=(len(rows), n))

        a_eq, a_ub = matrix(eq_rows), matrix(ub_rows)
        b_eq = np.array(eq_b) if eq_rows else None
        b_ub = np.array(ub_b) if ub_rows else None
        lps = 0

        def run(objective):
            nonlocal lps
            lps += 1
            return linprog(
                objective,
                A_ub=a_ub,
                b_ub=b_ub,
                A_eq=a_eq,
                b_eq=b_eq,
                bounds=bounds,
                method="highs",
            )

        targets = [k for k, i in enumerate(cells) if self._hidden_published(i, status)]
        truth = np.array([self.values[i] for i in cells], dtype=float)
        truth_ok = all(self._satisfied(c) for c in cons) and all(
            lo <= t <= hi for t, (lo, hi) in zip(truth, bounds, strict=True)
        )
        seen_lo = {k: (truth[k] if truth_ok else 1e18) for k in targets}
        seen_hi = {k: (truth[k] if truth_ok else -1e18) for k in targets}

        def note(x):
            for k in targets:
                seen_lo[k] = min(seen_lo[k], x[k])
                seen_hi[k] = max(seen_hi[k], x[k])

        def open_targets():
            # Settled: two whole numbers lie between values seen in feasible solutions.
            return [
                k
                for k in targets
                if math.floor(seen_hi[k] + _EPS) - math.ceil(seen_lo[k] - _EPS) < 1
            ]

        # A few solves over all open cells at once (up and down, with weights that vary so that
        # each solve lands on another corner) settle most cells; only the rest get one solve
        # per bound.
        weights = np.random.default_rng(len(cells)).uniform(1.0, 2.0, n)
        for attempt in range(6):
            todo = open_targets()
            if not todo:
                break
            objective = np.zeros(n)
            objective[todo] = (-1.0 if attempt % 2 == 0 else 1.0) * weights[todo]
            result = run(objective)
            if result.status == 2:  # infeasible: cannot happen with consistent figures
                log.error("suppression: infeasible release around %r", self.keys[cells[0]])
                return {cells[k]: set() for k in targets}, lps
            if result.status == 0:
                note(result.x)
            if attempt >= 1 and len(open_targets()) == len(todo):
                break  # nothing moved: the rest one by one
            weights = weights[::-1].copy()

        def binding(result) -> set[int]:
            """The relations that hold the bound: a certificate of what gives the cell away
            (their dual values are not zero)."""
            found = set()
            for ids, part in ((eq_ids, result.get("eqlin")), (ub_ids, result.get("ineqlin"))):
                marginals = getattr(part, "marginals", None)
                if marginals is None:
                    continue
                found.update(c for c, v in zip(ids, marginals, strict=False) if abs(v) > 1e-9)
            return found

        pinned = {}
        for k in open_targets():
            if k not in open_targets():
                continue  # settled by a solve for another cell
            lo_hi, why = [], set()
            for sign in (-1.0, 1.0):  # its largest value first: often enough to settle it
                objective = np.zeros(n)
                objective[k] = sign
                result = run(objective)
                if result.status != 0:
                    lo_hi.append(None)
                    break
                note(result.x)
                lo_hi.append(result.fun * sign)
                why |= binding(result)
                if k not in open_targets():
                    break
            if len(lo_hi) == 2 and None not in lo_hi:
                hi, lo = lo_hi
                if math.floor(hi + _EPS) <= math.ceil(lo - _EPS):
                    pinned[cells[k]] = why
        return pinned, lps
