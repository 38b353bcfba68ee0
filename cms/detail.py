"""Everything the public consultation page shows, read in a small, fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from consultations.i18n import wants_english
from consultations.models import Consultation, DraftVersion


@dataclass(frozen=True)
class ClauseView:
    """A clause as shown: frozen clauses once opened, the working copy before that."""

    number: int
    heading: str
    text: str
    zh_fallback: bool = False  # English page, but this clause has no English text

    @property
    def anchor(self) -> str:
        return f"clause-{self.number}"


def _heading(number: int, heading: str) -> str:
    """Drop a heading that only repeats the clause number the page already shows."""
    return "" if heading.strip() in (f"第{number}条", f"Clause {number}") else heading


def _view(number: int, clause) -> ClauseView:
    return ClauseView(
        number,
        _heading(number, clause.tr("heading")),
        clause.tr("text"),
        zh_fallback=wants_english() and not clause.text_en,
    )


def _local(value):
    if value is None:
        return None
    return timezone.localtime(value, ZoneInfo(settings.CONSULTATION_TIME_ZONE))


def _clauses(consultation: Consultation) -> tuple[list[ClauseView], DraftVersion | None, int]:
    """Uses what ``consultation_get_public`` prefetched: versions newest first, with clauses."""
    versions = list(consultation.draft_versions.all())
    if versions:
        current = max(versions, key=lambda v: v.number)
        rows = sorted(current.clauses.all(), key=lambda c: c.number)
        clauses = [_view(c.number, c) for c in rows]
        return clauses, current, len(versions)
    rows = consultation.draft_clauses.all()
    clauses = [_view(i, c) for i, c in enumerate(rows, start=1)]
    return clauses, None, 0


def consultation_detail_context(consultation: Consultation, now=None) -> dict:
    from consultations.periods import close_display_date, days_left, period_days

    now = now or timezone.now()
    status = consultation.status_at(now)
    clauses, version, version_count = _clauses(consultation)
    opens_at, closes_at = consultation.opens_at, consultation.closes_at
    is_open = status == Consultation.Status.OPEN
    return {
        "consultation": consultation,
        "status": status,
        "status_label": Consultation.Status(status).label,
        "is_open": is_open,
        "opens_local": _local(opens_at),
        "closes_local": _local(closes_at),
        "close_date": close_display_date(closes_at) if closes_at else None,
        "days_left": days_left(closes_at, now=now) if is_open and closes_at else None,
        "period_days": period_days(opens_at, closes_at) if opens_at and closes_at else None,
        "clauses": clauses,
        "draft_version": version,
        "draft_version_count": version_count,
        "districts": list(consultation.districts.all()),
        "alternatives": list(consultation.alternatives.all()),
        "questions": list(consultation.questions.all()),
        "attachments": list(consultation.attachments.all()),
        "change_log": list(consultation.change_log.all()),
        "stability": stability_disclosure(consultation),
    }


def stability_disclosure(c: Consultation) -> dict:
    """What R36 lets the public see: level and measures only when the assessment disclosed them."""
    status = c.stability_status
    done = status == Consultation.StabilityStatus.DONE
    return {
        "status": status,
        "status_label": Consultation.StabilityStatus(status).label if status else "",
        "assessor": c.tr("stability_assessor"),
        "methods": c.tr("stability_methods"),
        "level_label": (
            Consultation.StabilityLevel(c.stability_level).label
            if done and c.stability_level
            else ""
        ),
        "measures": c.tr("stability_measures") if done else "",
        "withheld": status == Consultation.StabilityStatus.WITHHELD,
        "withheld_ground": c.stability_withheld_ground,
    }
