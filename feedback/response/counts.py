"""The register's totals, the ONE source of every number on the response page and its PDF.

``register_totals`` reads the register with a handful of grouped queries (fast at 100k
opinions). Every opinion is counted whatever its moderation state; withdrawn opinions are
counted in the total and shown separately (moderation changes display, never counts).

Per-disposition counts are the distinct opinions coded to at least one theme with that
disposition; an opinion coded to themes with different dispositions counts under each, so the
per-disposition counts need not add up to the total. ``no_theme`` counts opinions an analyst
marked as having no theme (and no coding); ``uncoded`` those with neither (0 once publishable).
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from consultations.models import Consultation
from feedback.models import (
    CampaignGroup,
    CampaignMember,
    Channel,
    Coding,
    Disposition,
    Submission,
    Theme,
)


def register_totals(consultation: Consultation) -> dict:
    """Totals of ``consultation``'s register as a JSON-serialisable dict (stored at publication)."""
    subs = Submission.objects.filter(consultation=consultation)
    by_channel = dict.fromkeys(Channel.values, 0)
    for row in subs.order_by().values("channel").annotate(n=Count("pk")):
        by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + row["n"]
    coded = Coding.objects.filter(submission=OuterRef("pk"))
    flags = subs.annotate(has_coding=Exists(coded)).aggregate(
        total=Count("pk"),
        withdrawn=Count("pk", filter=Q(withdrawn=True)),
        coded=Count("pk", filter=Q(has_coding=True)),
        no_theme=Count("pk", filter=Q(has_coding=False) & ~Q(no_theme_reason="")),
        uncoded=Count("pk", filter=Q(has_coding=False) & Q(no_theme_reason="")),
    )
    groups = CampaignGroup.objects.filter(consultation=consultation).exclude(
        status=CampaignGroup.Status.DISMISSED
    )
    campaign_opinions = CampaignMember.objects.filter(group__in=groups).count()
    codings = Coding.objects.filter(theme__consultation=consultation)
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
    themes = Theme.objects.filter(consultation=consultation).count()
    return {
        "total": flags["total"],
        "by_channel": by_channel,
        "withdrawn": flags["withdrawn"],
        "coded": flags["coded"],
        "no_theme": flags["no_theme"],
        "uncoded": flags["uncoded"],
        "themes": themes,
        "by_theme": by_theme,
        "by_disposition": by_disposition,
        "campaign_groups": groups.count(),
        "campaign_opinions": campaign_opinions,
        "computed_at": timezone.now().isoformat(),
    }
