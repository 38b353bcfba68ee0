"""Aggregate-only figures for the 稳评 assessor (R33). Nothing here returns an opinion or a person.

Every breakdown is suppressed (cells under 5 shown as "<5", feedback.analysis.suppression):
the assessor is outside the owning department's analysts. Withdrawn opinions are counted in
the total received but left out of the stance figures (their authors took them back).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from consultations.models import Consultation
from consultations.periods import local_zone
from feedback.analysis.aggregates import campaign_summary, register_totals
from feedback.analysis.suppression import suppress, suppress_row
from feedback.models import (
    AffectedStatus,
    CampaignGroup,
    CampaignMember,
    Channel,
    Coding,
    Concern,
    RiskAssessment,
    Stance,
    Submission,
    Theme,
)

NOT_STATED = ""
DIRECTLY_AFFECTED = (AffectedStatus.LIVE, AffectedStatus.OWN)
MAJOR_CONCERNS = (Concern.HEALTH, Concern.SAFETY, Concern.COMPENSATION)
OFFLINE_METHODS = (Channel.SYMPOSIUM, Channel.FIELD_VISIT)

STANCE_COLUMNS = [*Stance.values, NOT_STATED]
AFFECTED_ROWS = [*AffectedStatus.values, NOT_STATED]


def _share(part: int | None, whole: int | None) -> float | None:
    """A percentage, or None when either count is suppressed or the whole is zero."""
    if part is None or whole is None or not whole:
        return None
    return round(100 * part / whole, 1)


@dataclass
class StanceTable:
    title: str
    theme: Theme | None
    rows: list[tuple[str, list[int | None], int | None]] = field(default_factory=list)


def _stance_table(qs, title: str, theme: Theme | None = None) -> StanceTable:
    counts = {
        (r["affected_status"], r["stance"]): r["n"]
        for r in qs.order_by().values("affected_status", "stance").annotate(n=Count("pk"))
    }
    table = StanceTable(title=title, theme=theme)
    for affected in AFFECTED_ROWS:
        row = {stance: counts.get((affected, stance), 0) for stance in STANCE_COLUMNS}
        shown = suppress_row(row)
        table.rows.append(
            (affected, [shown[s] for s in STANCE_COLUMNS], suppress(sum(row.values())))
        )
    return table


def dashboard(consultation: Consultation) -> dict:
    """Everything the dashboard shows, already suppressed."""
    all_subs = Submission.objects.filter(consultation=consultation)
    subs = all_subs.filter(withdrawn=False)
    totals = all_subs.aggregate(
        received=Count("pk"),
        withdrawn=Count("pk", filter=Q(withdrawn=True)),
    )
    analysed = totals["received"] - totals["withdrawn"]

    tables = [_stance_table(subs, "all")]
    themes = list(Theme.objects.filter(consultation=consultation).order_by("sort_order", "pk"))
    for theme in themes:
        tables.append(
            _stance_table(subs.filter(codings__theme=theme).distinct(), theme.name, theme)
        )

    affected = subs.filter(affected_status__in=DIRECTLY_AFFECTED).aggregate(
        total=Count("pk"), oppose=Count("pk", filter=Q(stance=Stance.OPPOSE))
    )
    affected_total, affected_oppose = suppress(affected["total"]), suppress(affected["oppose"])

    concern_rows = []
    for theme in themes:
        if theme.concern not in MAJOR_CONCERNS:
            continue
        theme_subs = subs.filter(
            pk__in=Coding.objects.filter(theme=theme).values("submission_id")
        ).aggregate(total=Count("pk"), oppose=Count("pk", filter=Q(stance=Stance.OPPOSE)))
        total, oppose = suppress(theme_subs["total"]), suppress(theme_subs["oppose"])
        concern_rows.append(
            {"theme": theme, "total": total, "oppose": oppose, "share": _share(oppose, total)}
        )
    oppose_all = subs.filter(stance=Stance.OPPOSE)
    oppose_concern = oppose_all.filter(
        pk__in=Coding.objects.filter(
            theme__consultation=consultation, theme__concern__in=MAJOR_CONCERNS
        ).values("submission_id")
    ).count()
    oppose_total = oppose_all.count()

    trend = [
        {
            "week": r["week"],
            "opinions": suppress(r["opinions"]),
            "oppose": suppress(r["oppose"]),
        }
        for r in subs.annotate(week=TruncWeek("received_at", tzinfo=local_zone()))
        .order_by("week")
        .values("week")
        .annotate(opinions=Count("pk"), oppose=Count("pk", filter=Q(stance=Stance.OPPOSE)))
    ]

    groups = CampaignGroup.objects.filter(consultation=consultation).exclude(
        status=CampaignGroup.Status.DISMISSED
    )
    in_campaigns = CampaignMember.objects.filter(
        group__in=groups, submission__withdrawn=False
    ).count()

    methods = dict.fromkeys(Channel.values, 0)
    for r in all_subs.order_by().values("channel").annotate(n=Count("pk")):
        methods[r["channel"]] = r["n"]
    channel_labels = dict(Channel.choices)

    return {
        "received": totals["received"],
        "withdrawn": totals["withdrawn"],
        "analysed": analysed,
        "stance_columns": STANCE_COLUMNS,
        "stance_labels": dict(Stance.choices),
        "affected_labels": dict(AffectedStatus.choices),
        "tables": tables,
        "affected": {
            "total": affected_total,
            "oppose": affected_oppose,
            "share": _share(affected_oppose, affected_total),
        },
        "concerns": concern_rows,
        "oppose_concern": {
            "oppose": suppress(oppose_total),
            "citing": suppress(oppose_concern),
            "share": _share(suppress(oppose_concern), suppress(oppose_total)),
        },
        "trend": trend,
        # The sentence every report carries, from the one source of the register's totals.
        "summary": campaign_summary(register_totals(consultation)),
        "campaigns": {
            "groups": groups.count(),
            "opinions": suppress(in_campaigns),
            "share": _share(suppress(in_campaigns), suppress(analysed)),
        },
        "methods": [
            (value, str(channel_labels[value]), suppress(n), value in OFFLINE_METHODS)
            for value, n in methods.items()
        ],
    }


def assessment_for(consultation: Consultation) -> RiskAssessment | None:
    return (
        RiskAssessment.objects.filter(consultation=consultation)
        .prefetch_related("measures__theme")
        .first()
    )
