"""Per-clause figures of the consulted draft version (the clause heat map), counted by the
rules of ``feedback.analysis.aggregates``.
"""

from __future__ import annotations

from django.db.models import Count

from feedback.analysis.shapes import (
    TOTAL,
    ClauseMap,
    ClauseStat,
    stance_columns,
)
from feedback.analysis.suppression import Release, is_hidden

# --------------------------------------------------------------------------- clauses


def consulted_version(consultation):
    """The draft version residents commented on: the latest version that has clause comments,
    else the current version (None when the consultation has no draft text)."""
    from consultations.models import DraftVersion
    from feedback.models import ClauseComment

    version_id = (
        ClauseComment.objects.filter(submission__consultation=consultation)
        .order_by("-clause__version__number")
        .values_list("clause__version", flat=True)
        .first()
    )
    if version_id:
        return DraftVersion.objects.get(pk=version_id)
    return consultation.current_draft_version()


def heat_level(total: int, max_total: int) -> int:
    """The colour step of a clause: 0 without comments, else 1 … 5 by its share of the most
    commented clause."""
    if not total:
        return 0
    return max(1, min(5, 1 + (4 * total) // max(max_total, 1)))


def clause_heatmap(consultation, *, suppressed=False, version=None) -> ClauseMap:
    """Per clause of the consulted draft version: active opinions commenting on it, by stance.

    ``suppressed``: this map suppressed on its own (a page suppresses all its figures together,
    see ``add_clausemap``; ``aggregates.clause_heatmap`` gives the dashboard's)."""
    from feedback.models import ClauseComment

    version = version or consulted_version(consultation)
    if version is None:
        return ClauseMap(None, [], 0, suppressed)
    rows = (
        ClauseComment.objects.filter(clause__version=version, submission__withdrawn=False)
        .values_list("clause", "submission__stance")
        .annotate(n=Count("pk"))
    )
    counts: dict[int, dict[str, int]] = {}
    for clause_id, stance, n in rows:
        counts.setdefault(clause_id, {})[stance] = n
    clauses = list(version.clauses.order_by("number"))
    totals = {c.pk: sum(counts.get(c.pk, {}).values()) for c in clauses}
    max_total = max(totals.values(), default=0)
    stats = [
        ClauseStat(
            clause.pk,
            clause.number,
            clause.heading,
            clause.text,
            totals[clause.pk],
            {key: counts.get(clause.pk, {}).get(key, 0) for key, _l in stance_columns()},
            heat_level(totals[clause.pk], max_total),
        )
        for clause in clauses
    ]
    heat = ClauseMap(version.number, stats, max_total, False)
    if suppressed:
        release = Release()
        apply = add_clausemap(release, heat)
        heat = apply(release.solve())
    return heat


def add_clausemap(release: Release, heat: ClauseMap, *, stance_total=None):
    """Put the clause figures into ``release``: per clause a total ``("clause", pk, TOTAL)`` and
    its stances ``("clause", pk, stance)``. A resident comments on a clause once, so each clause
    count by stance is part of the stance's total ``stance_total(stance)`` when given. Returns
    ``apply(outcome) -> ClauseMap``; the colour steps are then taken over the shown totals only,
    and a hidden total gets no colour step (-1)."""
    for stat in heat.clauses:
        total = ("clause", stat.clause_id, TOTAL)
        release.add(total, stat.total)
        parts = []
        for key, value in stat.by_stance.items():
            release.add(("clause", stat.clause_id, key), value)
            parts.append(("clause", stat.clause_id, key))
            if stance_total is not None:
                release.part_of(("clause", stat.clause_id, key), stance_total(key))
        release.equal(total, parts)

    def apply(outcome) -> ClauseMap:
        totals = {s.clause_id: outcome[("clause", s.clause_id, TOTAL)] for s in heat.clauses}
        max_shown = max((t for t in totals.values() if not is_hidden(t)), default=0)
        stats = [
            ClauseStat(
                s.clause_id,
                s.number,
                s.heading,
                s.text,
                totals[s.clause_id],
                {key: outcome[("clause", s.clause_id, key)] for key in s.by_stance},
                -1
                if is_hidden(totals[s.clause_id])
                else heat_level(totals[s.clause_id], max_shown),
            )
            for s in heat.clauses
        ]
        return ClauseMap(heat.version_number, stats, max_shown, True)

    return apply
