"""Per-clause figures of the consulted draft version (the clause heat map), counted by the
rules of ``feedback.analysis.aggregates``.
"""

from __future__ import annotations

from django.db.models import Count

from feedback.analysis.shapes import (
    ClauseMap,
    ClauseStat,
    stance_columns,
)
from feedback.analysis.suppression import suppress, suppress_row

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


def clause_heatmap(consultation, *, suppressed=False, version=None) -> ClauseMap:
    """Per clause of the consulted draft version: active opinions commenting on it, by stance."""
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
    stats = []
    for clause in clauses:
        exact = {key: counts.get(clause.pk, {}).get(key, 0) for key, _l in stance_columns()}
        total = totals[clause.pk]
        shown_total = suppress(total) if suppressed else total
        # The colour must not give away a hidden count: suppressed totals get the lowest step.
        if not total:
            level = 0
        elif shown_total is None:
            level = 1
        else:
            level = max(1, min(5, 1 + (4 * total) // max(max_total, 1)))
        stats.append(
            ClauseStat(
                clause.pk,
                clause.number,
                clause.heading,
                clause.text,
                shown_total,
                suppress_row(exact) if suppressed else exact,
                level,
            )
        )
    return ClauseMap(version.number, stats, max_total, suppressed)
