"""Staff search over a consultation's opinions: segmented query, filters, ranked results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.search import SearchQuery
from django.utils import timezone

from feedback.analysis.text import segment_query
from feedback.models import Submission
from feedback.privacy.masking import find_personal_data


@dataclass
class SearchFilters:
    stance: str = ""
    channel: str = ""
    affected_status: str = ""
    theme_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive, local date


def _without_personal_data(query: str) -> str:
    """``query`` without what masking would remove from the texts shown: searching a phone
    number or a house number must not tell staff which opinion contains it, when the screen
    shows that opinion with the number masked."""
    parts, position = [], 0
    for found in find_personal_data(query):
        parts.append(query[position : found.start])
        position = found.end
    parts.append(query[position:])
    return " ".join(parts)


def search(consultation, query: str, filters: SearchFilters | None = None):
    """Opinions of ``consultation`` matching ``query`` (all its words) and the filters, newest
    first. An empty query (or one without any word) with no filter returns nothing; with
    filters, the filtered opinions. Personal details in the query (a phone number, a house
    number…) are left out of it. Withdrawn opinions are never found, whatever the query or
    filter (issue 12). Returns a queryset: the caller chooses the fields it shows (never
    contact data)."""
    filters = filters or SearchFilters()
    qs = Submission.objects.filter(consultation=consultation, withdrawn=False)
    raw = segment_query(_without_personal_data(query or ""))
    if raw:
        qs = qs.filter(search_vector=SearchQuery(raw, search_type="raw", config="simple"))
    elif not any(vars(filters).values()):
        return qs.none()
    if filters.stance:
        qs = qs.filter(stance=filters.stance)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.affected_status:
        qs = qs.filter(affected_status=filters.affected_status)
    if filters.theme_id:
        qs = qs.filter(codings__theme_id=filters.theme_id).distinct()
    tz = timezone.get_current_timezone()
    if filters.date_from:
        start = timezone.make_aware(datetime.combine(filters.date_from, time.min), tz)
        qs = qs.filter(received_at__gte=start)
    if filters.date_to:
        end = timezone.make_aware(datetime.combine(filters.date_to, time.min), tz)
        end += timedelta(days=1)
        qs = qs.filter(received_at__lt=end)
    return qs.order_by("-received_at", "-pk")
