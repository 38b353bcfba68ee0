"""Counts of the opinion register for the analysts' dashboard, exports and reports.

Unlike the rest of ``feedback.analysis`` this module reads the database: every count is one
``values().annotate(Count(...))`` query, never a Python loop over opinions (top keywords are the
one exception: words have to be cut by jieba, so texts are streamed).

What is counted (the same rules everywhere; docs/methodology.md explains them in public):

* **Hidden opinions count.** Moderation changes what is shown, never what is counted: nothing
  here reads ``moderation_state``.
* **Withdrawn opinions** are received and stay in the register, but their authors took them
  back, so they are left out of every breakdown (stance, themes, clauses, over time, keywords)
  and reported on their own: ``register_totals`` gives received, withdrawn and active (=
  received − withdrawn) overall and per channel (R44).
* **Campaigns are counted, not discounted**: each opinion of a campaign group counts once, like
  any other; the number of distinct texts and of campaign groups is reported beside, over the
  same opinions as "received" ("N opinions, M distinct texts, K campaign groups", R61).
* **Several themes**: an opinion coded with several themes counts once under each of them, so
  the theme rows add up to more than the number of opinions.
* **Small cells**: with ``suppressed=True`` the figures are suppressed by
  ``feedback.analysis.suppression``: ``dashboard()`` puts everything the page and its aggregate
  exports show into one release (the breakdowns share their margins), hides counts of 1–4 and
  whatever else would give one of them away. The headline totals stay exact. Use it for
  everyone but the analysts of the owning department (R53). Each function below also takes
  ``suppressed``: it then returns its figure as that suppressed dashboard shows it.

``register_totals(consultation)`` is the one source of the canonical totals for the dashboard,
the exports, the campaigns screen and the published response (whose snapshot adds the coding
figures, see ``feedback.response.counts``).
"""

# Size: every breakdown of the register, counted by the one set of rules written above, so that
# the dashboard, the exports and the reports count alike; the suppression release of these
# breakdowns is in dashboard_release.py.

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from feedback.analysis import clauses
from feedback.analysis.dashboard_release import suppress_dashboard
from feedback.analysis.keywords import top_keywords
from feedback.analysis.shapes import (
    NOT_GIVEN,
    CrossTab,
    Series,
    active_submissions,
    affected_rows,
    consistent_reads,
    consultation_submissions,
    local_tz,
    make_crosstab,
    make_series,
    stance_columns,
)
from feedback.analysis.suppression import Hidden

CONSULTATION = "consultation"  # feedback.models.Phase.CONSULTATION (issue 16 point 5)

# --------------------------------------------------------------------------- canonical totals


def campaign_figures(consultation) -> dict:
    """Distinct texts and campaign groups of the register (every received opinion, withdrawn ones
    included, like ``received``): the "M distinct texts, K campaign groups" of every report.

    ``distinct_texts``: different normalised texts (distinct ``text_hash``) among opinions that
    have a text (an opinion with only a stance or choices has none). ``campaign_groups``: groups
    of two or more opinions that an analyst did not dismiss (suggested or confirmed; a split can
    leave a group of one, which is not counted); ``in_campaign_groups``: their opinions.
    """
    from feedback.models import CampaignGroup, CampaignMember

    distinct_texts = (
        consultation_submissions(consultation)
        .exclude(text_hash="")
        .aggregate(n=Count("text_hash", distinct=True))["n"]
    )
    groups = (
        CampaignMember.objects.filter(group__consultation=consultation)
        .exclude(group__status=CampaignGroup.Status.DISMISSED)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .filter(n__gte=2)
    )
    group_sizes = [row["n"] for row in groups]
    return {
        "distinct_texts": distinct_texts,
        "campaign_groups": len(group_sizes),
        "in_campaign_groups": sum(group_sizes),
    }


def register_totals(consultation) -> dict:
    """The canonical numbers of the register, exact (not suppressed), JSON-serialisable.

    The ONE source of the register's totals: the analysts' dashboard, the aggregate exports, the
    campaigns screen (``feedback.campaigns.selectors.campaign_summary``) and the published response
    (``feedback.response.counts.response_totals`` adds the coding figures and stores the result
    at publication) all take them from here, so their numbers reconcile.

    ``received`` counts every opinion ever received (withdrawn ones too), ``withdrawn`` those
    taken back by their authors, ``active = received − withdrawn``. ``by_channel`` gives the three
    figures per channel (every channel listed, zeros included) and ``by_stance`` the active
    opinions per stance (``""`` = not given). ``distinct_texts``, ``campaign_groups`` and
    ``in_campaign_groups``: see ``campaign_figures``. The sentence every report states,
    "N opinions, M distinct texts, K campaign groups", is ``campaign_summary(totals)``.
    """
    from feedback.models import Channel, Stance

    base = consultation_submissions(consultation)
    per_channel = {
        row["channel"]: row
        for row in base.order_by()
        .values("channel")
        .annotate(received=Count("pk"), withdrawn=Count("pk", filter=Q(withdrawn=True)))
    }
    by_channel = []
    for value, label in Channel.choices:
        row = per_channel.get(value, {"received": 0, "withdrawn": 0})
        by_channel.append(
            {
                "channel": value,
                "label": str(label),
                "received": row["received"],
                "withdrawn": row["withdrawn"],
                "active": row["received"] - row["withdrawn"],
            }
        )
    stance_counts = dict(
        base.filter(withdrawn=False)
        .order_by()
        .values_list("stance")
        .annotate(n=Count("pk"))
        .values_list("stance", "n")
    )
    by_stance = {value: stance_counts.get(value, 0) for value in [*Stance.values, NOT_GIVEN]}
    received = sum(row["received"] for row in by_channel)
    withdrawn = sum(row["withdrawn"] for row in by_channel)
    return {
        "received": received,
        "withdrawn": withdrawn,
        "active": received - withdrawn,
        "by_channel": by_channel,
        "by_stance": by_stance,
        **campaign_figures(consultation),
    }


def campaign_summary(totals: dict) -> dict | None:
    """The figures of "N opinions, M distinct texts, K campaign groups" from ``register_totals``
    (or a stored snapshot of it): N = opinions received. For ``feedback/campaigns/_summary.html``; None when
    a figure is missing (a snapshot stored before distinct texts were recorded)."""
    figures = {
        "opinions": totals.get("received"),
        "distinct_texts": totals.get("distinct_texts"),
        "groups": totals.get("campaign_groups"),
    }
    if any(value is None or isinstance(value, Hidden) for value in figures.values()):
        return None  # unknown, or hidden in a very small consultation: no sentence
    return figures


# --------------------------------------------------------------------------- totals


def by_channel(consultation, *, suppressed=False) -> Series:
    """Active opinions per channel, with the withdrawn ones in the note (see register_totals)."""
    if suppressed:
        return _released(consultation, "channel")
    from feedback.models import Channel

    counts = dict(
        active_submissions(consultation)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    return make_series(
        "channel", _("Opinions by channel"), Channel.choices, counts, suppressed=False
    )


def withdrawn_by_channel(consultation, *, suppressed=False) -> Series:
    if suppressed:
        return _released(consultation, "withdrawn")
    from feedback.models import Channel

    counts = dict(
        consultation_submissions(consultation)
        .filter(withdrawn=True)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    return make_series(
        "withdrawn",
        _("Withdrawn opinions by channel"),
        Channel.choices,
        counts,
        suppressed=False,
        note=_("Withdrawn opinions are not in the other breakdowns."),
    )


def by_stance(consultation, *, suppressed=False) -> Series:
    if suppressed:
        return _released(consultation, "stance")
    counts = dict(
        active_submissions(consultation)
        .values_list("stance")
        .annotate(n=Count("pk"))
        .values_list("stance", "n")
    )
    return make_series("stance", _("Overall stance"), stance_columns(), counts, suppressed=False)


def by_affected(consultation, *, suppressed=False) -> Series:
    if suppressed:
        return _released(consultation, "affected")
    counts = dict(
        active_submissions(consultation)
        .values_list("affected_status")
        .annotate(n=Count("pk"))
        .values_list("affected_status", "n")
    )
    return make_series(
        "affected", _("How respondents are affected"), affected_rows(), counts,
        suppressed=False,
    )  # fmt: skip


def alternative_preferences(consultation, *, suppressed=False) -> CrossTab:
    """Per alternative: how many active opinions marked it preferred / acceptable / not."""
    if suppressed:
        return _released(consultation, "alternatives")
    from feedback.models import AlternativePreference, Preference

    rows = (
        AlternativePreference.objects.filter(
            submission__consultation=consultation,
            submission__withdrawn=False,
            submission__phase=CONSULTATION,
        )
        .values_list("alternative", "preference")
        .annotate(n=Count("pk"))
    )
    counts = {(str(alt), pref): n for alt, pref, n in rows}
    alternatives = [
        (str(a.pk), a.title) for a in consultation.alternatives.all().order_by("sort_order", "pk")
    ]
    return make_crosstab(
        "alternatives",
        _("Preferences for the alternatives"),
        Preference.choices,
        alternatives,
        counts,
        suppressed=False,
    )


# --------------------------------------------------------------------------- cross-tabs


def stance_by_affected(consultation, *, suppressed=False) -> CrossTab:
    if suppressed:
        return _released(consultation, "stance_affected")
    rows = (
        active_submissions(consultation)
        .values_list("affected_status", "stance")
        .annotate(n=Count("pk"))
        .values_list("affected_status", "stance", "n")
    )
    counts = {(a, s): n for a, s, n in rows}
    return make_crosstab(
        "stance_affected",
        _("Stance by how respondents are affected"),
        stance_columns(),
        affected_rows(),
        counts,
        suppressed=False,
    )


MULTI_THEME_NOTE = _(
    "An opinion coded with several themes counts once under each, so the rows add up to more "
    "than the number of opinions."
)


def _theme_rows(consultation):
    return [(str(t.pk), t.name) for t in consultation.themes.all().order_by("sort_order", "pk")]


def _uncoded_counts(consultation, fields):
    """Counts of active opinions without any theme, split into 'no theme' and 'not coded yet'."""
    qs = active_submissions(consultation).filter(codings__isnull=True)
    no_theme = qs.exclude(no_theme_reason="").values_list(*fields).annotate(n=Count("pk"))
    not_coded = qs.filter(no_theme_reason="").values_list(*fields).annotate(n=Count("pk"))
    return list(no_theme), list(not_coded)


def stance_by_theme(consultation, *, suppressed=False) -> CrossTab:
    """Stance per theme (distinct opinions per theme, clause-comment codings included)."""
    if suppressed:
        return _released(consultation, "stance_theme")
    from feedback.models import Coding

    rows = (
        Coding.objects.filter(
            submission__consultation=consultation,
            submission__withdrawn=False,
            submission__phase=CONSULTATION,
        )
        .values_list("theme", "submission__stance")
        .annotate(n=Count("submission", distinct=True))
    )
    counts = {(str(theme), stance): n for theme, stance, n in rows}
    no_theme, not_coded = _uncoded_counts(consultation, ["stance"])
    counts.update({("no_theme", s): n for s, n in no_theme})
    counts.update({("not_coded", s): n for s, n in not_coded})
    spec = [
        *_theme_rows(consultation),
        ("no_theme", _("marked 'no theme'")),
        ("not_coded", _("not coded yet")),
    ]
    return make_crosstab(
        "stance_theme",
        _("Stance by theme"),
        stance_columns(),
        spec,
        counts,
        suppressed=False,
        note=MULTI_THEME_NOTE,
    )


def stance_by_affected_theme(consultation, *, suppressed=False) -> CrossTab:
    """Stance × affected status × theme, flattened: one row per (theme, affected status)."""
    if suppressed:
        return _released(consultation, "stance_affected_theme")
    from feedback.models import Coding

    rows = (
        Coding.objects.filter(
            submission__consultation=consultation,
            submission__withdrawn=False,
            submission__phase=CONSULTATION,
        )
        .values_list("theme", "submission__affected_status", "submission__stance")
        .annotate(n=Count("submission", distinct=True))
    )
    counts = {(f"{theme}:{affected}", stance): n for theme, affected, stance, n in rows}
    spec = []
    for theme_key, theme_label in _theme_rows(consultation):
        for affected_key, affected_label in affected_rows():
            if any(counts.get((f"{theme_key}:{affected_key}", s)) for s, _l in stance_columns()):
                spec.append((f"{theme_key}:{affected_key}", f"{theme_label} · {affected_label}"))
    return make_crosstab(
        "stance_affected_theme",
        _("Stance by theme and how respondents are affected"),
        stance_columns(),
        spec,
        counts,
        suppressed=False,
        note=MULTI_THEME_NOTE,
    )


# --------------------------------------------------------------------------- over time


def over_time(consultation, *, suppressed=False) -> Series:
    """Active opinions per day (Asia/Shanghai). Offline opinions count on the day they came in
    (``submitted_on``), not the day a clerk entered them. Days without opinions are zeros."""
    if suppressed:
        return _released(consultation, "over_time")
    day = Coalesce("submitted_on", TruncDate("received_at", tzinfo=local_tz()))
    counts = dict(
        active_submissions(consultation)
        .annotate(day=day)
        .values_list("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    days: list[date] = []
    if counts:
        first, last = min(counts), max(counts)
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    keys = [(d.isoformat(), d.isoformat()) for d in days]
    return make_series(
        "over_time",
        _("Opinions per day"),
        keys,
        {d.isoformat(): n for d, n in counts.items()},
        suppressed=False,
    )


# --------------------------------------------------------------------------- everything


def clause_heatmap(consultation, *, suppressed=False, version=None):
    """``clauses.clause_heatmap``; suppressed, as the suppressed dashboard shows it."""
    if suppressed and version is None:
        return _released(consultation, "clauses")
    return clauses.clause_heatmap(consultation, suppressed=suppressed, version=version)


def _released(consultation, name: str):
    """One figure as the suppressed dashboard shows it: suppression is decided for everything a
    page shows together, so a figure asked for on its own is taken from that release."""
    return dashboard(consultation, suppressed=True, keywords=False)[name]


def dashboard(consultation, *, suppressed=False, keywords=True) -> dict:
    """Every breakdown of the dashboard and the aggregate exports: one release.

    ``suppressed``: every figure below (the register totals, each breakdown, the clause map)
    is suppressed together by ``suppress_dashboard``, because the page and the export show them
    side by side. Top keywords only list words used by 5 opinions or more.
    """
    with consistent_reads():
        totals = register_totals(consultation)
        data = {
            "totals": totals,
            "summary": campaign_summary(totals),
            "channel": by_channel(consultation),
            "withdrawn": withdrawn_by_channel(consultation),
            "stance": by_stance(consultation),
            "affected": by_affected(consultation),
            "alternatives": alternative_preferences(consultation),
            "stance_affected": stance_by_affected(consultation),
            "stance_theme": stance_by_theme(consultation),
            "stance_affected_theme": stance_by_affected_theme(consultation),
            "clauses": clauses.clause_heatmap(consultation),
            "over_time": over_time(consultation),
            "suppressed": suppressed,
        }
        if keywords:
            data["keywords"] = top_keywords(consultation, suppressed=suppressed)
    if suppressed:
        data = suppress_dashboard(data)
        data["summary"] = campaign_summary(data["totals"])
    return data
