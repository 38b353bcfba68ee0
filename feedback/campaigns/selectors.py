"""Read-only queries about campaign groups, for the analysts' screen, reports and responses.

``campaign_summary`` gives the three figures every report states (R61):

* **N opinions**: every opinion of the consultation, withdrawn ones included (they stay counted).
* **M distinct texts**: the number of different texts among opinions that have a text (identical
  after folding case, width and whitespace, i.e. distinct ``text_hash``); opinions with only a
  stance or choices have no text and are not in M.
* **K campaign groups**: groups of at least two identical or near-identical opinions that are
  *suggested* or *confirmed*; groups an analyst *dismissed* ("not a campaign") are not counted, groups the
  machine suggested and nobody looked at yet are (the report is about what the texts show).

Withdrawn opinions are in no group: a withdrawal removes the membership
(``feedback.campaigns.grouping.opinion_ungroup``). The lists below leave them out all the same,
so that a membership kept from before that rule never shows a withdrawn text.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import Coalesce, TruncDate

from feedback.models import CampaignGroup, CampaignMember


@dataclass(frozen=True)
class CampaignSummary:
    opinions: int
    distinct_texts: int
    groups: int


def counted_groups(consultation):
    """Suggested and confirmed groups of at least two opinions (a split can leave one)."""
    return (
        CampaignGroup.objects.filter(consultation=consultation)
        .exclude(status=CampaignGroup.Status.DISMISSED)
        .annotate(size=Count("members"))
        .filter(size__gte=2)
    )


def campaign_summary(consultation) -> CampaignSummary:
    """The figures come from the canonical ``aggregates.register_totals`` (one source)."""
    from feedback.analysis.aggregates import register_totals

    totals = register_totals(consultation)
    return CampaignSummary(totals["received"], totals["distinct_texts"], totals["campaign_groups"])


def groups_for_list(consultation, status: str = ""):
    """Groups with their member count, latest arrival and count of members added after a
    person decided on the group; largest first."""
    qs = CampaignGroup.objects.filter(consultation=consultation)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("representative")
        .annotate(
            member_count=Count("members", filter=Q(members__submission__withdrawn=False)),
            last_arrival=Max("members__submission__received_at"),
            new_since_decision=Count(
                "members",
                filter=Q(decided_at__isnull=False, members__added_at__gt=F("decided_at")),
            ),
        )
        .order_by("-member_count", "pk")
    )


@dataclass
class VariantRow:
    text_hash: str
    count: int
    first_id: int
    text: str


def group_variants(group: CampaignGroup, limit: int = 50) -> list[VariantRow]:
    """Distinct texts of the group with how many members wrote each, most frequent first."""
    from feedback.analysis.opinion_texts import opinion_texts

    rows = list(
        CampaignMember.objects.filter(group=group, submission__withdrawn=False)
        .values("submission__text_hash")
        .annotate(n=Count("pk"), first=Min("submission_id"))
        .order_by("-n", "first")[:limit]
    )
    texts = opinion_texts(r["first"] for r in rows)
    return [
        VariantRow(r["submission__text_hash"], r["n"], r["first"], texts.get(r["first"], ""))
        for r in rows
    ]


def group_members(group: CampaignGroup):
    """Members with pseudonymous fields only (no receipt, no contact): id, arrival, channel,
    stance, similarity, and whether they were added after a person decided on the group."""
    decided_at = group.decided_at
    members = (
        CampaignMember.objects.filter(group=group, submission__withdrawn=False)
        .select_related("submission")
        .only(
            "similarity",
            "added_at",
            "submission__id",
            "submission__received_at",
            "submission__submitted_on",
            "submission__channel",
            "submission__stance",
            "submission__text_hash",
        )
        # By the date received (the letter's date for an offline opinion), then arrival.
        .order_by(
            Coalesce("submission__submitted_on", TruncDate("submission__received_at")),
            "submission__received_at",
            "submission_id",
        )
    )
    for m in members:
        m.is_new = bool(decided_at and m.added_at > decided_at)
    return members
