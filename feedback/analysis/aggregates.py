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
* **Small cells**: with ``suppressed=True`` every breakdown hides cells between 1 and 4 (and one
  more cell per row when only one would be hidden, see ``suppression.suppress_row``). Totals stay
  exact. Use it for everyone but the analysts of the owning department (R53).

``register_totals(consultation)`` is the one source of the canonical totals for the dashboard,
the exports, the campaigns screen and the published response (whose snapshot adds the coding
figures, see ``feedback.response.counts``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from .suppression import suppress, suppress_row

NOT_GIVEN = ""


def _tz() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "CONSULTATION_TIME_ZONE", "Asia/Shanghai"))


# --------------------------------------------------------------------------- data shapes


@dataclass
class Item:
    key: str
    label: str
    count: int | None  # None: suppressed (shown as "<5")


@dataclass
class Series:
    """A one-dimensional breakdown (e.g. opinions by channel)."""

    name: str
    title: str
    items: list[Item]
    total: int
    suppressed: bool = False
    note: str = ""

    def as_rows(self) -> list[tuple[str, int | None]]:
        return [(item.label, item.count) for item in self.items]


@dataclass
class CrossRow:
    key: str
    label: str
    cells: dict[str, int | None]
    total: int | None  # None: suppressed


@dataclass
class CrossTab:
    """Rows × columns (e.g. affected status × stance). Row totals are exact."""

    name: str
    title: str
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[CrossRow]
    total: int
    suppressed: bool = False
    note: str = ""

    def column_totals(self) -> dict[str, int]:
        """Exact column sums; only shown when not suppressed."""
        return self._exact_column_totals

    _exact_column_totals: dict[str, int] = field(default_factory=dict, repr=False)


@dataclass
class ClauseStat:
    clause_id: int
    number: int
    heading: str
    text: str
    total: int | None
    by_stance: dict[str, int | None]
    level: int  # 0 (none) … 5 (most comments): the heat-map colour step


@dataclass
class ClauseMap:
    version_number: int | None
    clauses: list[ClauseStat]
    max_total: int
    suppressed: bool = False


# --------------------------------------------------------------------------- vocabularies


def _stance_columns() -> list[tuple[str, str]]:
    from feedback.models import Stance

    return [*Stance.choices, (NOT_GIVEN, _("not given"))]


def _affected_rows() -> list[tuple[str, str]]:
    from feedback.models import AffectedStatus

    return [*AffectedStatus.choices, (NOT_GIVEN, _("not given"))]


def _active(consultation):
    """Opinions that count in the breakdowns: every opinion not withdrawn, hidden ones included."""
    from feedback.models import Submission

    return Submission.objects.filter(consultation=consultation, withdrawn=False)


def _series(
    name, title, keys_labels, counts: dict, *, suppressed: bool, note="", keep_empty=True
) -> Series:
    row = {key: counts.get(key, 0) for key, _label in keys_labels}
    if not keep_empty:
        row = {key: value for key, value in row.items() if value}
    shown = suppress_row(row) if suppressed else dict(row)
    items = [Item(key, str(label), shown[key]) for key, label in keys_labels if key in shown]
    return Series(name, str(title), items, sum(row.values()), suppressed, str(note))


def _crosstab(name, title, columns, rows_spec, counts, *, suppressed, note="") -> CrossTab:
    """``counts``: {(row_key, col_key): n}; ``rows_spec``: [(row_key, label)].

    Suppressed: each row's cells go through ``suppress_row``, and the row totals (themselves the
    cells of the one-way breakdown, e.g. opinions per affected status) through ``suppress_row``
    across rows, so the cross-tab never shows a number its one-way breakdown hides. A row whose
    total is hidden shows no cell at all (only zeros stay). The grand total stays exact.
    """
    exact_rows = {}
    col_totals = {key: 0 for key, _label in columns}
    for row_key, _row_label in rows_spec:
        exact = {col: counts.get((row_key, col), 0) for col, _label in columns}
        for col, value in exact.items():
            col_totals[col] += value
        exact_rows[row_key] = exact
    row_totals = {key: sum(cells.values()) for key, cells in exact_rows.items()}
    shown_totals = suppress_row(row_totals) if suppressed else row_totals
    rows = []
    for row_key, row_label in rows_spec:
        exact = exact_rows[row_key]
        if not suppressed:
            cells = dict(exact)
        elif shown_totals[row_key] is None:
            cells = {col: (None if value else 0) for col, value in exact.items()}
        else:
            cells = suppress_row(exact)
        rows.append(CrossRow(str(row_key), str(row_label), cells, shown_totals[row_key]))
    table = CrossTab(
        name,
        str(title),
        [(key, str(label)) for key, label in columns],
        rows,
        sum(col_totals.values()),
        suppressed,
        str(note),
    )
    table._exact_column_totals = col_totals
    return table


# --------------------------------------------------------------------------- canonical totals


def campaign_figures(consultation) -> dict:
    """Distinct texts and campaign groups of the register (every received opinion, withdrawn ones
    included, like ``received``): the "M distinct texts, K campaign groups" of every report.

    ``distinct_texts``: different normalised texts (distinct ``text_hash``) among opinions that
    have a text (an opinion with only a stance or choices has none). ``campaign_groups``: groups
    of two or more opinions that an analyst did not dismiss (suggested or confirmed; a split can
    leave a group of one, which is not counted); ``in_campaign_groups``: their opinions.
    """
    from feedback.models import CampaignGroup, CampaignMember, Submission

    distinct_texts = (
        Submission.objects.filter(consultation=consultation)
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
    campaigns screen (``campaign_selectors.campaign_summary``) and the published response
    (``feedback.response.counts.response_totals`` adds the coding figures and stores the result
    at publication) all take them from here, so their numbers reconcile.

    ``received`` counts every opinion ever received (withdrawn ones too), ``withdrawn`` those
    taken back by their authors, ``active = received − withdrawn``. ``by_channel`` gives the three
    figures per channel (every channel listed, zeros included) and ``by_stance`` the active
    opinions per stance (``""`` = not given). ``distinct_texts``, ``campaign_groups`` and
    ``in_campaign_groups``: see ``campaign_figures``. The sentence every report states,
    "N opinions, M distinct texts, K campaign groups", is ``campaign_summary(totals)``.
    """
    from feedback.models import Channel, Stance, Submission

    base = Submission.objects.filter(consultation=consultation)
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
    (or a stored snapshot of it): N = opinions received. For ``feedback/_campaign_summary.html``; None when
    a figure is missing (a snapshot stored before distinct texts were recorded)."""
    figures = {
        "opinions": totals.get("received"),
        "distinct_texts": totals.get("distinct_texts"),
        "groups": totals.get("campaign_groups"),
    }
    if any(value is None for value in figures.values()):
        return None
    return figures


# --------------------------------------------------------------------------- totals


def by_channel(consultation, *, suppressed=False) -> Series:
    """Active opinions per channel, with the withdrawn ones in the note (see register_totals)."""
    from feedback.models import Channel

    counts = dict(
        _active(consultation)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    return _series(
        "channel", _("Opinions by channel"), Channel.choices, counts, suppressed=suppressed
    )


def withdrawn_by_channel(consultation, *, suppressed=False) -> Series:
    from feedback.models import Channel, Submission

    counts = dict(
        Submission.objects.filter(consultation=consultation, withdrawn=True)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    return _series(
        "withdrawn",
        _("Withdrawn opinions by channel"),
        Channel.choices,
        counts,
        suppressed=suppressed,
        note=_("Withdrawn opinions are not in the other breakdowns."),
    )


def by_stance(consultation, *, suppressed=False) -> Series:
    counts = dict(
        _active(consultation)
        .values_list("stance")
        .annotate(n=Count("pk"))
        .values_list("stance", "n")
    )
    return _series("stance", _("Overall stance"), _stance_columns(), counts, suppressed=suppressed)


def by_affected(consultation, *, suppressed=False) -> Series:
    counts = dict(
        _active(consultation)
        .values_list("affected_status")
        .annotate(n=Count("pk"))
        .values_list("affected_status", "n")
    )
    return _series(
        "affected", _("How respondents are affected"), _affected_rows(), counts,
        suppressed=suppressed,
    )  # fmt: skip


def alternative_preferences(consultation, *, suppressed=False) -> CrossTab:
    """Per alternative: how many active opinions marked it preferred / acceptable / not."""
    from feedback.models import AlternativePreference, Preference

    rows = (
        AlternativePreference.objects.filter(
            submission__consultation=consultation, submission__withdrawn=False
        )
        .values_list("alternative", "preference")
        .annotate(n=Count("pk"))
    )
    counts = {(str(alt), pref): n for alt, pref, n in rows}
    alternatives = [
        (str(a.pk), a.title) for a in consultation.alternatives.all().order_by("sort_order", "pk")
    ]
    return _crosstab(
        "alternatives",
        _("Preferences for the alternatives"),
        Preference.choices,
        alternatives,
        counts,
        suppressed=suppressed,
    )


# --------------------------------------------------------------------------- cross-tabs


def stance_by_affected(consultation, *, suppressed=False) -> CrossTab:
    rows = (
        _active(consultation)
        .values_list("affected_status", "stance")
        .annotate(n=Count("pk"))
        .values_list("affected_status", "stance", "n")
    )
    counts = {(a, s): n for a, s, n in rows}
    return _crosstab(
        "stance_affected",
        _("Stance by how respondents are affected"),
        _stance_columns(),
        _affected_rows(),
        counts,
        suppressed=suppressed,
    )


MULTI_THEME_NOTE = _(
    "An opinion coded with several themes counts once under each, so the rows add up to more "
    "than the number of opinions."
)


def _theme_rows(consultation):
    return [(str(t.pk), t.name) for t in consultation.themes.all().order_by("sort_order", "pk")]


def _uncoded_counts(consultation, fields):
    """Counts of active opinions without any theme, split into 'no theme' and 'not coded yet'."""
    qs = _active(consultation).filter(codings__isnull=True)
    no_theme = qs.exclude(no_theme_reason="").values_list(*fields).annotate(n=Count("pk"))
    not_coded = qs.filter(no_theme_reason="").values_list(*fields).annotate(n=Count("pk"))
    return list(no_theme), list(not_coded)


def stance_by_theme(consultation, *, suppressed=False) -> CrossTab:
    """Stance per theme (distinct opinions per theme, clause-comment codings included)."""
    from feedback.models import Coding

    rows = (
        Coding.objects.filter(submission__consultation=consultation, submission__withdrawn=False)
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
    return _crosstab(
        "stance_theme",
        _("Stance by theme"),
        _stance_columns(),
        spec,
        counts,
        suppressed=suppressed,
        note=MULTI_THEME_NOTE,
    )


def stance_by_affected_theme(consultation, *, suppressed=False) -> CrossTab:
    """Stance × affected status × theme, flattened: one row per (theme, affected status)."""
    from feedback.models import Coding

    rows = (
        Coding.objects.filter(submission__consultation=consultation, submission__withdrawn=False)
        .values_list("theme", "submission__affected_status", "submission__stance")
        .annotate(n=Count("submission", distinct=True))
    )
    counts = {(f"{theme}:{affected}", stance): n for theme, affected, stance, n in rows}
    spec = []
    for theme_key, theme_label in _theme_rows(consultation):
        for affected_key, affected_label in _affected_rows():
            if any(counts.get((f"{theme_key}:{affected_key}", s)) for s, _l in _stance_columns()):
                spec.append((f"{theme_key}:{affected_key}", f"{theme_label} · {affected_label}"))
    return _crosstab(
        "stance_affected_theme",
        _("Stance by theme and how respondents are affected"),
        _stance_columns(),
        spec,
        counts,
        suppressed=suppressed,
        note=MULTI_THEME_NOTE,
    )


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
        exact = {key: counts.get(clause.pk, {}).get(key, 0) for key, _l in _stance_columns()}
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


# --------------------------------------------------------------------------- over time


def over_time(consultation, *, suppressed=False) -> Series:
    """Active opinions per day (Asia/Shanghai). Offline opinions count on the day they came in
    (``submitted_on``), not the day a clerk entered them. Days without opinions are zeros."""
    day = Coalesce("submitted_on", TruncDate("received_at", tzinfo=_tz()))
    counts = dict(
        _active(consultation)
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
    return _series(
        "over_time",
        _("Opinions per day"),
        keys,
        {d.isoformat(): n for d, n in counts.items()},
        suppressed=suppressed,
    )


# --------------------------------------------------------------------------- keywords

_KEYWORD_STOPWORDS = frozenset(
    """
    我们 你们 他们 她们 它们 我 你 他 她 它 的 了 和 与 及 或 是 在 有 也 都 就 还 又 而 但 但是
    因为 所以 如果 这个 那个 这些 那些 这样 那样 一个 一些 没有 不是 可以 应该 希望 建议 认为
    觉得 是否 进行 问题 方面 相关 有关 对于 关于 以及 其中 目前 现在 已经 非常 比较 特别 能够
    需要 要求 请 等 之 其 该 此 为 被 把 让 给 将 从 对 向 由 于 以 到 上 下 中 内 外 前 后
    什么 怎么 为什么 如何 多少 哪里 很 太 最 更 再 不 没 无 非 本 各 每 另 其他 其它 自己
    """.split()
)
_DIGITS = re.compile(r"^[\d.]+$")


def _stopwords() -> frozenset[str]:
    from . import text

    extra = getattr(text, "STOPWORDS", None) or ()
    return _KEYWORD_STOPWORDS | frozenset(extra)


def top_keywords(consultation, *, n=30, suppressed=False, limit=50_000) -> Series:
    """The words used by most active opinions (each opinion counts a word once), from the
    general comment and clause comments, cut by jieba with the domain words of ``text.py``.

    Only the ``limit`` most recent opinions are read (the note says so when that happens).
    With ``suppressed`` words used by fewer than 5 opinions are left out (they could be names).
    """
    import jieba

    from feedback.models import ClauseComment

    from .text import _ensure_jieba, _is_word_char, normalize_text

    _ensure_jieba()
    stop = _stopwords()
    active = _active(consultation)
    total = active.count()
    ids = list(active.order_by("-received_at", "-pk").values_list("pk", flat=True)[:limit])
    texts: dict[int, list[str]] = {}
    for pk, comment in active.filter(pk__in=ids).values_list("pk", "comment").iterator(2000):
        if comment:
            texts.setdefault(pk, []).append(comment)
    clause_texts = ClauseComment.objects.filter(submission_id__in=ids).values_list(
        "submission_id", "text"
    )
    for pk, comment in clause_texts.iterator(2000):
        texts.setdefault(pk, []).append(comment)
    counter: Counter[str] = Counter()
    for parts in texts.values():
        words = set()
        for word in jieba.cut(normalize_text(" ".join(parts)).casefold()):
            word = "".join(ch for ch in word if _is_word_char(ch))
            if len(word) >= 2 and word not in stop and not _DIGITS.match(word):
                words.add(word)
        counter.update(words)
    pairs = counter.most_common()
    if suppressed:
        pairs = [(word, count) for word, count in pairs if count >= 5]
    pairs = pairs[:n]
    note = ""
    if total > limit:
        note = _("Based on the %(limit)d most recent of %(total)d opinions.") % {
            "limit": limit,
            "total": total,
        }
    items = [Item(word, word, count) for word, count in pairs]
    return Series("keywords", str(_("Top keywords")), items, total, suppressed, str(note))


# --------------------------------------------------------------------------- everything


def dashboard(consultation, *, suppressed=False, keywords=True) -> dict:
    """Every breakdown of the dashboard and the aggregate exports."""
    totals = register_totals(consultation)
    data = {
        "totals": totals,
        "summary": campaign_summary(totals),
        "channel": by_channel(consultation, suppressed=suppressed),
        "withdrawn": withdrawn_by_channel(consultation, suppressed=suppressed),
        "stance": by_stance(consultation, suppressed=suppressed),
        "affected": by_affected(consultation, suppressed=suppressed),
        "alternatives": alternative_preferences(consultation, suppressed=suppressed),
        "stance_affected": stance_by_affected(consultation, suppressed=suppressed),
        "stance_theme": stance_by_theme(consultation, suppressed=suppressed),
        "stance_affected_theme": stance_by_affected_theme(consultation, suppressed=suppressed),
        "clauses": clause_heatmap(consultation, suppressed=suppressed),
        "over_time": over_time(consultation, suppressed=suppressed),
        "suppressed": suppressed,
    }
    if keywords:
        data["keywords"] = top_keywords(consultation, suppressed=suppressed)
    return data
