"""The numbers of the response page and its PDF: the canonical register totals plus coding figures.

The shared figures (received, withdrawn and active per channel, by stance, distinct texts,
campaign groups and their opinions) come from ONE place,
``feedback.analysis.aggregates.register_totals``, the function the analysts' dashboard and the
exports use, so the published response reconciles with them. ``response_totals`` adds only what
the response alone reports: the coding state, the opinions per theme and per disposition.
The result is stored at publication (``ConsultationResponse.counts``, ``version`` 2);
``snapshot_totals`` reads a stored snapshot in that shape, converting the snapshots stored
before (no ``version``: ``total``, ``by_channel`` as {channel: n}, ``campaign_opinions``).

Only opinions of the consultation phase are counted: those given during the decision's
implementation (``Submission.phase``, issue 16 point 5) are counted apart and never change these
figures. Every opinion is counted whatever its moderation state (moderation changes display, never
counts). The coding figures cover every opinion that was not withdrawn (each is coded or
marked "no theme" before publishing); withdrawn ones are counted only as withdrawn (issue 12). Per-disposition counts are the
distinct opinions coded to at least one theme with that disposition; an opinion coded to themes
with different dispositions counts under each, so they need not add up to the total.
``no_theme`` counts opinions an analyst marked as having no theme (and no coding); ``uncoded``
those with neither (0 once publishable).
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from consultations.models import Consultation
from feedback.analysis.aggregates import register_totals
from feedback.models import Channel, Coding, Disposition, Phase, Submission, Theme

SNAPSHOT_VERSION = 2


def response_totals(consultation: Consultation) -> dict:
    """``register_totals`` plus the response's coding figures, JSON-serialisable (the snapshot
    stored at publication)."""
    totals = register_totals(consultation)
    # Two semi/anti-joins (hash joins at any size) rather than EXISTS per row in one aggregate:
    # half the time at 100k opinions.
    has_coding = Exists(Coding.objects.filter(submission=OuterRef("pk")))
    # Withdrawn opinions are counted only as withdrawn (issue 12): not coded, not uncoded.
    # Opinions during implementation (issue 16 point 5) are not part of the response at all.
    submissions = Submission.objects.filter(
        consultation=consultation, withdrawn=False, phase=Phase.CONSULTATION
    )
    coded = submissions.filter(has_coding).count()
    no_theme = submissions.exclude(no_theme_reason="").exclude(has_coding).count()
    codings = Coding.objects.filter(
        theme__consultation=consultation,
        submission__withdrawn=False,
        submission__phase=Phase.CONSULTATION,
    )
    by_theme = {
        str(row["theme_id"]): row["n"]
        for row in codings.order_by()
        .values("theme_id")
        .annotate(n=Count("submission_id", distinct=True))
    }
    by_disposition = dict.fromkeys(Disposition.values, 0)
    for row in (
        codings.filter(theme__response__isnull=False)
        .order_by()
        .values("theme__response__disposition")
        .annotate(n=Count("submission_id", distinct=True))
    ):
        by_disposition[row["theme__response__disposition"]] = row["n"]
    totals.update(
        {
            "version": SNAPSHOT_VERSION,
            "coded": coded,
            "no_theme": no_theme,
            "uncoded": totals["active"] - coded - no_theme,
            "themes": Theme.objects.filter(consultation=consultation).count(),
            "by_theme": by_theme,
            "by_disposition": by_disposition,
            "computed_at": timezone.now().isoformat(),
        }
    )
    return totals


def snapshot_totals(counts: dict | None) -> dict:
    """A stored snapshot in the shape of ``response_totals``, whatever its version.

    Snapshots stored before version 2 lack the per-channel withdrawals, the opinions per stance
    and the distinct texts: those stay ``None`` (shown as unknown, never recomputed: a published
    response does not change). Channel labels are taken afresh in the current language.
    """
    counts = dict(counts or {})
    labels = dict(Channel.choices)
    if "received" in counts:  # version 2: the canonical totals
        counts["by_channel"] = [
            {**row, "label": str(labels.get(row["channel"], row["channel"]))}
            for row in counts.get("by_channel", [])
        ]
        return counts
    received = counts.get("total", 0)
    withdrawn = counts.get("withdrawn", 0)
    old_channels = counts.get("by_channel") or {}
    return {
        "version": 1,
        "received": received,
        "withdrawn": withdrawn,
        "active": received - withdrawn,
        "by_channel": [
            {
                "channel": value,
                "label": str(labels.get(value, value)),
                "received": n,
                "withdrawn": None,
                "active": None,
            }
            for value, n in old_channels.items()
        ],
        "by_stance": None,
        "distinct_texts": None,
        "campaign_groups": counts.get("campaign_groups", 0),
        "in_campaign_groups": counts.get("campaign_opinions", 0),
        "coded": counts.get("coded", 0),
        "no_theme": counts.get("no_theme", 0),
        "uncoded": counts.get("uncoded", 0),
        "themes": counts.get("themes", 0),
        "by_theme": counts.get("by_theme") or {},
        "by_disposition": counts.get("by_disposition") or {},
        "computed_at": counts.get("computed_at"),
    }
