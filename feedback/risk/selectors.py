"""Aggregate-only figures for the 稳评 assessor (R33). Nothing here returns an opinion or a person.

The assessor is outside the owning department's analysts, so everything the dashboard shows is
one suppression release (``feedback.analysis.suppression``): the stance × affected tables (all
opinions and per theme), the line on the directly affected, the health/safety/compensation
table and line, the weekly trend, the campaigns line and the channels share their margins, and
are suppressed together so that no hidden figure can be worked out from the rest of the page.
Percentages of hidden figures are not shown. Withdrawn opinions are counted in the total
received but left out of the stance figures (their authors took them back).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from consultations.models import Consultation
from feedback.analysis.aggregates import campaign_summary, register_totals
from feedback.analysis.shapes import TOTAL, add_crosstab, consistent_reads, make_crosstab
from feedback.analysis.suppression import Release
from feedback.models import (
    AffectedStatus,
    CampaignGroup,
    CampaignMember,
    Channel,
    Coding,
    Concern,
    Phase,
    RiskAssessment,
    RiskAssessmentChange,
    Stance,
    Submission,
    Theme,
)
from feedback.models.submission import date_received_expression

NOT_STATED = ""
DIRECTLY_AFFECTED = (AffectedStatus.LIVE, AffectedStatus.OWN)
MAJOR_CONCERNS = (Concern.HEALTH, Concern.SAFETY, Concern.COMPENSATION)
OFFLINE_METHODS = (Channel.SYMPOSIUM, Channel.FIELD_VISIT)

STANCE_COLUMNS = [*Stance.values, NOT_STATED]
AFFECTED_ROWS = [*AffectedStatus.values, NOT_STATED]
ALL = "all"


@dataclass
class StanceTable:
    title: str
    theme: Theme | None
    rows: list[tuple[str, list, object]] = field(default_factory=list)


@dataclass
class _Figures:
    """The exact figures of the dashboard, read in one snapshot."""

    received: int
    withdrawn: int
    themes: list[Theme]
    tables: dict[str, dict[tuple[str, str], int]]  # ALL or theme pk -> {(affected, stance): n}
    citing: int
    trend: list[tuple[object, int, int]]  # (week, opinions, opposing)
    groups: int
    in_campaigns: int
    methods: dict[str, int]
    summary: dict | None

    @property
    def analysed(self) -> int:
        return self.received - self.withdrawn


def _read(consultation: Consultation) -> _Figures:
    # The consultation phase only: opinions during implementation (issue 16 point 5) never
    # change the figures the assessment was made on.
    all_subs = Submission.objects.filter(consultation=consultation, phase=Phase.CONSULTATION)
    subs = all_subs.filter(withdrawn=False)
    totals = all_subs.aggregate(
        received=Count("pk"), withdrawn=Count("pk", filter=Q(withdrawn=True))
    )
    themes = list(Theme.objects.filter(consultation=consultation).order_by("sort_order", "pk"))
    tables: dict[str, dict] = {ALL: {}}
    for r in subs.order_by().values("affected_status", "stance").annotate(n=Count("pk")):
        tables[ALL][(r["affected_status"], r["stance"])] = r["n"]
    for theme in themes:
        tables[str(theme.pk)] = {}
    # One query for every theme; an opinion coded twice with a theme (on the opinion and on a
    # clause comment) counts once.
    for r in (
        Coding.objects.filter(
            theme__consultation=consultation,
            submission__withdrawn=False,
            submission__phase=Phase.CONSULTATION,
        )
        .order_by()
        .values("theme", "submission__affected_status", "submission__stance")
        .annotate(n=Count("submission", distinct=True))
    ):
        key = (r["submission__affected_status"], r["submission__stance"])
        tables[str(r["theme"])][key] = r["n"]
    major = [t.pk for t in themes if t.concern in MAJOR_CONCERNS]
    citing = (
        subs.filter(stance=Stance.OPPOSE)
        .filter(pk__in=Coding.objects.filter(theme_id__in=major).values("submission_id"))
        .count()
    )
    trend = [
        (r["week"], r["opinions"], r["oppose"])
        # The week of the date received (the letter's date for an offline opinion; issue 14).
        for r in subs.annotate(week=TruncWeek(date_received_expression()))
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
    return _Figures(
        received=totals["received"],
        withdrawn=totals["withdrawn"],
        themes=themes,
        tables=tables,
        citing=citing,
        trend=trend,
        groups=groups.count(),
        in_campaigns=in_campaigns,
        methods=methods,
        # The sentence every report carries, from the one source of the register's totals.
        summary=campaign_summary(register_totals(consultation)),
    )


def _crosstab(name: str, counts: dict):
    return make_crosstab(
        name,
        name,
        [(s, s) for s in STANCE_COLUMNS],
        [(a, a) for a in AFFECTED_ROWS],
        counts,
        suppressed=False,
    )


def _release(f: _Figures) -> tuple[Release, dict]:
    """Everything the page shows, and what the assessor knows about how the figures relate."""
    release = Release()
    received, withdrawn, analysed = ("received",), ("withdrawn",), ("analysed",)
    release.add(received, f.received, headline=True)
    release.add(withdrawn, f.withdrawn, headline=True)
    release.add(analysed, f.analysed, headline=True)
    release.equal(received, [analysed, withdrawn])

    for value, n in f.methods.items():  # every opinion received, withdrawn ones too
        release.add(("method", value), n)
    release.equal(received, [("method", value) for value in f.methods])

    tables = {name: _crosstab(name, counts) for name, counts in f.tables.items()}
    major = {str(t.pk) for t in f.themes if t.concern in MAJOR_CONCERNS}
    oppose_all = (ALL, TOTAL, Stance.OPPOSE)
    release.add(oppose_all, tables[ALL]._exact_column_totals[Stance.OPPOSE])
    appliers = {}
    for name, table in tables.items():
        if name in major:  # the concerns table shows these two
            release.add((name, TOTAL, TOTAL), table.total)
            release.add((name, TOTAL, Stance.OPPOSE), table._exact_column_totals[Stance.OPPOSE])
        appliers[name] = add_crosstab(
            release, table, grand=analysed if name == ALL else (name, TOTAL, TOTAL)
        )
        if name != ALL:  # the opinions of a theme are among all opinions
            for a in AFFECTED_ROWS:
                for s in STANCE_COLUMNS:
                    release.part_of((name, a, s), (ALL, a, s))

    affected_total, affected_oppose = ("affected", TOTAL), ("affected", Stance.OPPOSE)
    release.add(
        affected_total,
        sum(f.tables[ALL].get((a, s), 0) for a in DIRECTLY_AFFECTED for s in STANCE_COLUMNS),
    )
    release.equal(affected_total, [(ALL, a, TOTAL) for a in DIRECTLY_AFFECTED])
    release.add(
        affected_oppose,
        sum(f.tables[ALL].get((a, Stance.OPPOSE), 0) for a in DIRECTLY_AFFECTED),
    )
    release.equal(affected_oppose, [(ALL, a, Stance.OPPOSE) for a in DIRECTLY_AFFECTED])

    citing = ("citing",)  # opposing opinions coded with a health/safety/compensation theme
    release.add(citing, f.citing)
    release.part_of(citing, oppose_all)
    for name in major:
        release.part_of((name, TOTAL, Stance.OPPOSE), citing)
    if major:
        release.at_least(citing, [(name, TOTAL, Stance.OPPOSE) for name in sorted(major)])

    weeks = []
    for week, opinions, oppose in f.trend:  # a week is listed only when it has opinions
        release.add(("week", week, "opinions"), opinions, lower=1)
        release.add(("week", week, "oppose"), oppose)
        release.part_of(("week", week, "oppose"), ("week", week, "opinions"))
        weeks.append(week)
    release.equal(analysed, [("week", w, "opinions") for w in weeks])
    release.equal(oppose_all, [("week", w, "oppose") for w in weeks])

    release.add(("campaigns",), f.in_campaigns)
    release.part_of(("campaigns",), analysed)
    return release, appliers


def dashboard(consultation: Consultation, *, exact: bool = False) -> dict:
    """Everything the dashboard shows, suppressed as one release (``exact``: the same figures
    unsuppressed, for tests and the owning department's own checks; never shown to the
    assessor)."""
    with consistent_reads():
        f = _read(consultation)
    release, appliers = _release(f)
    outcome = release.solve() if not exact else None

    def shown(key):
        return outcome[key] if outcome is not None else release.exact(key)

    def share(part, whole):
        if outcome is not None:
            return outcome.share(part, whole)
        p, w = shown(part), shown(whole)
        return round(100 * p / w, 1) if w else None

    tables = []
    theme_of = {str(t.pk): t for t in f.themes}
    for name in f.tables:
        theme = theme_of.get(name)
        table = StanceTable(title=theme.name if theme else ALL, theme=theme)
        for a in AFFECTED_ROWS:
            cells = [shown((name, a, s)) for s in STANCE_COLUMNS]
            table.rows.append((a, cells, shown((name, a, TOTAL))))
        tables.append(table)
    concern_rows = [
        {
            "theme": theme,
            "total": shown((str(theme.pk), TOTAL, TOTAL)),
            "oppose": shown((str(theme.pk), TOTAL, Stance.OPPOSE)),
            "share": share((str(theme.pk), TOTAL, Stance.OPPOSE), (str(theme.pk), TOTAL, TOTAL)),
        }
        for theme in f.themes
        if theme.concern in MAJOR_CONCERNS
    ]
    channel_labels = dict(Channel.choices)
    return {
        # Exact, unless a tiny consultation leaves nothing else to hide (see suppression).
        "received": shown(("received",)),
        "withdrawn": shown(("withdrawn",)),
        "analysed": shown(("analysed",)),
        "stance_columns": STANCE_COLUMNS,
        "stance_labels": dict(Stance.choices),
        "affected_labels": dict(AffectedStatus.choices),
        "tables": tables,
        "affected": {
            "total": shown(("affected", TOTAL)),
            "oppose": shown(("affected", Stance.OPPOSE)),
            "share": share(("affected", Stance.OPPOSE), ("affected", TOTAL)),
        },
        "concerns": concern_rows,
        "oppose_concern": {
            "oppose": shown((ALL, TOTAL, Stance.OPPOSE)),
            "citing": shown(("citing",)),
            "share": share(("citing",), (ALL, TOTAL, Stance.OPPOSE)),
        },
        "trend": [
            {
                "week": week,
                "opinions": shown(("week", week, "opinions")),
                "oppose": shown(("week", week, "oppose")),
            }
            for week, _o, _p in f.trend
        ],
        "summary": f.summary,
        "campaigns": {
            "groups": f.groups,
            "opinions": shown(("campaigns",)),
            "share": share(("campaigns",), ("analysed",)),
        },
        "methods": [
            (value, str(channel_labels[value]), shown(("method", value)), value in OFFLINE_METHODS)
            for value in f.methods
        ],
        "suppressed": outcome is not None,
    }


def assessment_for(consultation: Consultation) -> RiskAssessment | None:
    return (
        RiskAssessment.objects.filter(consultation=consultation)
        .prefetch_related("measures__theme")
        .first()
    )


def pending_change(consultation: Consultation):
    """The recorded level waiting for a second person's confirmation, or None."""
    return (
        RiskAssessmentChange.objects.filter(assessment__consultation=consultation, status="pending")
        .select_related("recorded_by")
        .first()
    )


def change_history(consultation: Consultation):
    """Every recorded level of the consultation, newest first, with who and what became of it."""
    return RiskAssessmentChange.objects.filter(
        assessment__consultation=consultation
    ).select_related("recorded_by", "decided_by")
