"""The content of the public response page and its PDF, built once from the published response.

Every number comes from ``ConsultationResponse.counts``, the snapshot ``response_totals`` took at
publication (the canonical ``aggregates.register_totals`` plus the coding figures), read through
``snapshot_totals`` so that responses published with an older snapshot still show; dispositions
are final after publication, so page and PDF never change.
No names, receipt codes or contact data are included (R25).

The page and the PDF are public, so their figures are one suppression release
(``feedback.analysis.suppression``, built by ``report_release``): counts of 1–4 are hidden, and
so is whatever would give one away from the rest of the page (the totals of the channel table,
the withdrawals, the themes and dispositions, which a reader knows cover every coded opinion).
The headline totals (received, withdrawn) are exact. ``Report.counts`` holds the figures as
shown; the exact snapshot stays on the response.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from consultations.diff import UNCHANGED, draft_version_diff
from feedback.analysis.aggregates import campaign_summary
from feedback.analysis.suppression import Outcome, Release
from feedback.models import Coding, ConsultationResponse, Disposition, ModerationState, Theme
from feedback.privacy.masking import mask_text
from feedback.response.counts import snapshot_totals

# Patterns of personal data that must not appear in a published response (R25).
PERSONAL_DATA_PATTERNS = [
    ("masked_name", re.compile(r"[\u4e00-\u9fff][*＊×Xx]{1,3}(?![\w*])")),
    ("phone", re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")),
    ("email", re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    ("id_number", re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")),
]


def personal_data_found(text: str) -> list[str]:
    """Kinds of personal data found in ``text`` (masked names, phones, e-mails, ID numbers)."""
    return [kind for kind, pattern in PERSONAL_DATA_PATTERNS if pattern.search(text or "")]


@dataclass
class ThemeLine:
    theme: Theme
    opinions: object  # a count, or a hidden one (see feedback.analysis.suppression)
    disposition: str
    disposition_label: str
    reason: str
    reason_en: str
    clause_numbers: list[int] = field(default_factory=list)
    # What the disposition means, shown when an adopted theme has no reason of its own, so
    # that every theme has its text (issue 15).
    disposition_help: str = ""
    quotes: list[str] = field(default_factory=list)  # masked; authors agreed to quoting


QUOTES_PER_THEME = 2
QUOTE_CHARS = 160


def _shortened(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def theme_quotes(theme_ids: list[int], per_theme: int = QUOTES_PER_THEME) -> dict[int, list[str]]:
    """A few opinions of each theme, quoted as residents wrote them, masked.

    Only opinions whose authors agreed to be quoted without their name
    (``Submission.quote_consent``), not withdrawn and not hidden by a moderator; shown ones
    first, then the earliest. Exact and near copies of one text are quoted once. The text is
    the opinion's comment, or the clause comment that was coded, through the same masking as
    the public opinions page (``feedback.privacy.masking``): no name, number or address.
    """
    rows = (
        Coding.objects.filter(
            theme_id__in=theme_ids,
            submission__quote_consent=True,
            submission__withdrawn=False,
            submission__is_exact_duplicate=False,
        )
        .exclude(submission__moderation_state=ModerationState.HIDDEN)
        .order_by(
            Case(
                When(submission__moderation_state=ModerationState.SHOWN, then=Value(0)),
                default=Value(1),
            ),
            "submission_id",
            "pk",
        )
        .values_list("theme_id", "submission__comment", "clause_comment__text")
    )
    quotes: dict[int, list[str]] = {pk: [] for pk in theme_ids}
    seen: dict[int, set[str]] = {pk: set() for pk in theme_ids}
    for theme_id, comment, clause_text in rows.iterator():
        if len(quotes[theme_id]) >= per_theme:
            continue
        text = _shortened(mask_text(clause_text or comment or ""))
        key = text[:40]
        if text and key not in seen[theme_id]:
            seen[theme_id].add(key)
            quotes[theme_id].append(text)
    return quotes


UNKNOWN = "—"  # a figure an old snapshot did not record


@dataclass
class Report:
    response: ConsultationResponse
    counts: dict  # the figures as shown (hidden ones replaced), see shown_counts
    channels: list[tuple[str, object, object]]  # (label, received, withdrawn or UNKNOWN)
    summary: dict | None  # "N opinions, M distinct texts, K campaign groups"; None: unknown
    dispositions: list[tuple[str, str, object]]
    themes: list[ThemeLine]
    diff: list
    unchanged_clauses: int
    outcome: Outcome | None = None


def report_release(counts: dict, themes: list[tuple[str, str]]) -> Release:
    """Everything the page and the PDF show, and what a reader knows about it.

    ``counts``: a snapshot (``snapshot_totals``); ``themes``: (theme id, disposition) of the
    themes listed. Received = the channels listed (only channels with opinions are, so each has
    at least one), withdrawn = the withdrawals per channel, each no more than its channel;
    opinions in campaign groups are part of those received, at least two per group; every
    received opinion is withdrawn, coded or marked "no theme" (none is left uncoded at
    publication); the
    themes cover the coded opinions, each theme is part of them and part of its disposition's
    count, which its themes cover.
    """
    release = Release()
    received, withdrawn = ("received",), ("withdrawn",)
    release.add(received, counts["received"], headline=True)
    release.add(withdrawn, counts["withdrawn"], headline=True)
    rows = [row for row in counts["by_channel"] if row["received"]]
    for row in rows:
        release.add(("received", row["channel"]), row["received"], lower=1)
    release.equal(received, [("received", row["channel"]) for row in rows])
    if rows and all(row["withdrawn"] is not None for row in rows):
        for row in rows:
            release.add(("withdrawn", row["channel"]), row["withdrawn"])
            release.part_of(("withdrawn", row["channel"]), ("received", row["channel"]))
        release.equal(withdrawn, [("withdrawn", row["channel"]) for row in rows])
    in_groups, groups = ("in_campaign_groups",), ("campaign_groups",)
    release.add(in_groups, counts.get("in_campaign_groups") or 0)
    release.add(groups, counts.get("campaign_groups") or 0, primary=False)  # not people
    release.part_of(in_groups, received)
    release.part_of(groups, in_groups, times=2)
    coded, no_theme, uncoded = ("coded",), ("no_theme",), ("uncoded",)
    release.add(no_theme, counts.get("no_theme") or 0)
    release.add(uncoded, counts.get("uncoded") or 0, headline=True)  # 0: a publication rule
    # Withdrawn opinions are counted only as withdrawn, never coded (issue 12): every other
    # received opinion is coded, marked "no theme" or still uncoded.
    release.add(
        coded,
        counts["received"]
        - release.exact(withdrawn)
        - release.exact(no_theme)
        - release.exact(uncoded),
        published=False,
    )
    release.equal(received, [coded, no_theme, uncoded, withdrawn])
    by_theme = counts.get("by_theme") or {}
    by_disposition = counts.get("by_disposition") or {}
    for value in Disposition.values:
        release.add(("disposition", value), by_disposition.get(value, 0))
        release.part_of(("disposition", value), coded)
    for theme_id, disposition in themes:
        key = ("theme", theme_id)
        release.add(key, by_theme.get(theme_id, 0))
        release.part_of(key, coded)
        release.part_of(key, ("disposition", disposition))
    release.at_least(coded, [("theme", theme_id) for theme_id, _d in themes])
    for value in Disposition.values:
        release.at_least(("disposition", value), [("theme", t) for t, d in themes if d == value])
    return release


def build_report(response: ConsultationResponse) -> Report:
    exact = snapshot_totals(response.counts)
    by_theme = exact.get("by_theme") or {}
    themes = []
    for theme in (
        Theme.objects.filter(consultation_id=response.consultation_id)
        .select_related("response")
        .prefetch_related("response__changed_clauses")
        .order_by("sort_order", "pk")
    ):
        try:
            answer = theme.response
        except Theme.response.RelatedObjectDoesNotExist:
            continue  # a theme without opinions needs no disposition and is not shown
        themes.append(
            ThemeLine(
                theme=theme,
                opinions=by_theme.get(str(theme.pk), 0),
                disposition=answer.disposition,
                disposition_label=str(answer.get_disposition_display()),
                reason=answer.reason,
                reason_en=answer.reason_en,
                clause_numbers=sorted(c.number for c in answer.changed_clauses.all()),
                disposition_help=str(DISPOSITION_HELP.get(answer.disposition, "")),
            )
        )
    quotes = theme_quotes([line.theme.pk for line in themes])
    for line in themes:
        line.quotes = quotes[line.theme.pk]
    release = report_release(exact, [(str(line.theme.pk), line.disposition) for line in themes])
    outcome = release.solve()
    for line in themes:
        line.opinions = outcome[("theme", str(line.theme.pk))]
    counts = shown_counts(exact, outcome)
    channels = [(row["label"], row["received"], row["withdrawn"]) for row in counts["by_channel"]]
    dispositions = [
        (value, str(label), outcome[("disposition", value)]) for value, label in Disposition.choices
    ]
    diff, unchanged = [], 0
    if response.draft_from_id and response.draft_to_id:
        for d in draft_version_diff(response.draft_from, response.draft_to):
            if d.status == UNCHANGED:
                unchanged += 1
            else:
                diff.append(d)
    return Report(
        response,
        counts,
        channels,
        campaign_summary(counts),
        dispositions,
        themes,
        diff,
        unchanged,
        outcome,
    )


def shown_counts(exact: dict, outcome: Outcome) -> dict:
    """The snapshot as the page shows it: hidden figures replaced, figures the page does not
    show (per stance, coded, active per channel) left out."""
    by_channel = [
        {
            "channel": row["channel"],
            "label": row["label"],
            "received": outcome[("received", row["channel"])],
            "withdrawn": (  # None would read "<5": an unknown figure is UNKNOWN
                UNKNOWN if row["withdrawn"] is None else outcome[("withdrawn", row["channel"])]
            ),
        }
        for row in exact["by_channel"]
        if row["received"]
    ]
    keep = ("version", "distinct_texts", "themes")
    return {
        **{key: exact.get(key) for key in keep},
        # Exact, unless a tiny consultation leaves nothing else to hide (see suppression).
        "received": outcome[("received",)],
        "withdrawn": outcome[("withdrawn",)],
        "by_channel": by_channel,
        "in_campaign_groups": outcome[("in_campaign_groups",)],
        "campaign_groups": outcome[("campaign_groups",)],
        "no_theme": outcome[("no_theme",)],
        "by_theme": {key[1]: value for key, value in outcome.values.items() if key[0] == "theme"},
        "by_disposition": {value: outcome[("disposition", value)] for value in Disposition.values},
        "computed_at": exact.get("computed_at"),
    }


DISPOSITION_HELP = {
    Disposition.ADOPTED: _("the draft was changed as proposed"),
    Disposition.PARTLY: _("the draft was changed in part"),
    Disposition.NOT_ADOPTED: _("the draft was not changed; the reason is given"),
    Disposition.OUT_OF_SCOPE: _("outside this consultation; passed to the body responsible"),
}
