"""The content of the public response page and its PDF, built once from the published response.

Every number comes from ``ConsultationResponse.counts``, the snapshot ``response_totals`` took at
publication (the canonical ``aggregates.register_totals`` plus the coding figures), read through
``snapshot_totals`` so that responses published with an older snapshot still show; dispositions
are final after publication, so page and PDF never change.
No names, receipt codes or contact data are included (R25).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from consultations.diff import UNCHANGED, draft_version_diff
from feedback.analysis.aggregates import campaign_summary
from feedback.models import ConsultationResponse, Disposition, Theme
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
    opinions: int
    disposition: str
    disposition_label: str
    reason: str
    reason_en: str
    clause_numbers: list[int] = field(default_factory=list)


@dataclass
class Report:
    response: ConsultationResponse
    counts: dict
    channels: list[tuple[str, int, int | None]]  # (label, received, withdrawn or None: unknown)
    summary: dict | None  # "N opinions, M distinct texts, K campaign groups"; None: unknown
    dispositions: list[tuple[str, str, int]]
    themes: list[ThemeLine]
    diff: list
    unchanged_clauses: int


def build_report(response: ConsultationResponse) -> Report:
    counts = snapshot_totals(response.counts)
    channels = [
        (row["label"], row["received"], row["withdrawn"])
        for row in counts["by_channel"]
        if row["received"]
    ]
    by_disposition = counts.get("by_disposition") or {}
    dispositions = [
        (value, str(label), by_disposition.get(value, 0)) for value, label in Disposition.choices
    ]
    by_theme = counts.get("by_theme") or {}
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
            )
        )
    diff, unchanged = [], 0
    if response.draft_from_id and response.draft_to_id:
        for d in draft_version_diff(response.draft_from, response.draft_to):
            if d.status == UNCHANGED:
                unchanged += 1
            else:
                diff.append(d)
    return Report(
        response, counts, channels, campaign_summary(counts), dispositions, themes, diff, unchanged
    )


DISPOSITION_HELP = {
    Disposition.ADOPTED: _("the draft was changed as proposed"),
    Disposition.PARTLY: _("the draft was changed in part"),
    Disposition.NOT_ADOPTED: _("the draft was not changed; the reason is given"),
    Disposition.OUT_OF_SCOPE: _("outside this consultation; passed to the body responsible"),
}
