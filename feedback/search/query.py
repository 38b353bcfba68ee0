"""Search over a consultation's opinions: the staff search box (all texts, filters) and the
residents' search of the public opinions page (public texts only). How the words are matched:
:mod:`feedback.search.tokens`; docs/adr/0012-search.md.

Results come newest first by the **date received** (:func:`date_received`: for offline opinions
the day on the letter or call, ``submitted_on``, else the local day of arrival), then by arrival
time; the date filters use the same date. The migration 0020 indexes exactly this expression
(``submission_cons_day_idx``), so the first page of a common word walks that index instead of
sorting every match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Coalesce, TruncDate

from feedback.models import Coding, Submission
from feedback.privacy.masking import find_personal_data
from feedback.search.highlight import highlight
from feedback.search.tokens import PUBLIC_WEIGHT, CompiledQuery, compile_query

__all__ = [
    "COUNT_LIMIT",
    "PAGE_SIZE",
    "ResultPage",
    "SearchFilters",
    "compiled",
    "date_received",
    "highlight",
    "page_of",
    "public_search",
    "search",
]

PAGE_SIZE = 50
# Counting every match of a common word among a million opinions takes 0.1-1 s; the exact total
# is counted up to this many (bench/search.py, docs/performance.md), "more than" beyond.
COUNT_LIMIT = 1_000


@dataclass
class SearchFilters:
    stance: str = ""
    channel: str = ""
    affected_status: str = ""
    theme_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive


def date_received():
    """The date an opinion was received: the day on the letter, call or visit for offline
    opinions (``submitted_on``), else the day it arrived, in the site's time zone. The SQL is
    the one indexed by ``submission_cons_day_idx`` (migration 0020): keep them equal."""
    return Coalesce("submitted_on", TruncDate("received_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))


def _without_personal_data(query: str) -> str:
    """``query`` without what masking would remove from the texts shown: searching a phone
    number or a house number must not tell anyone which opinion contains it, when the screen
    shows that opinion with the number masked."""
    parts, position = [], 0
    for found in find_personal_data(query):
        parts.append(query[position : found.start])
        position = found.end
    parts.append(query[position:])
    return " ".join(parts)


def compiled(query: str, *, public: bool = False) -> CompiledQuery:
    """The query as matched (personal details left out) and the strings to highlight."""
    return compile_query(
        _without_personal_data(query or ""), weight=PUBLIC_WEIGHT if public else ""
    )


def _matching(qs: QuerySet, tsquery: str) -> QuerySet:
    return qs.filter(search_vector=SearchQuery(tsquery, search_type="raw", config="simple"))


def _newest_first(qs: QuerySet) -> QuerySet:
    return qs.alias(day=date_received()).order_by(
        F("day").desc(), F("received_at").desc(), F("pk").desc()
    )


def search(consultation, query: str, filters: SearchFilters | None = None) -> QuerySet:
    """Opinions of ``consultation`` matching ``query`` (all its terms; quoted parts as phrases)
    and the filters, newest first by date received. An empty query (or one without any word)
    with no filter returns nothing; with filters, the filtered opinions. Personal details in
    the query (a phone number, a house number…) are left out of it. Withdrawn opinions are
    never found, whatever the query or filter (issue 12). Returns a queryset: the caller
    chooses the fields it shows (never contact data)."""
    filters = filters or SearchFilters()
    qs = Submission.objects.filter(consultation=consultation, withdrawn=False)
    tsquery = compiled(query).tsquery
    if tsquery:
        qs = _matching(qs, tsquery)
    elif not any(vars(filters).values()):
        return qs.none()
    if filters.stance:
        qs = qs.filter(stance=filters.stance)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.affected_status:
        qs = qs.filter(affected_status=filters.affected_status)
    if filters.theme_id:
        coded = Coding.objects.filter(submission=OuterRef("pk"), theme_id=filters.theme_id)
        qs = qs.filter(Exists(coded))
    if filters.date_from or filters.date_to:
        qs = qs.alias(day=date_received())
        if filters.date_from:
            qs = qs.filter(day__gte=filters.date_from)
        if filters.date_to:
            qs = qs.filter(day__lte=filters.date_to)
    return _newest_first(qs)


def public_search(shown: QuerySet, query: str) -> QuerySet:
    """The opinions of ``shown`` (the public page's queryset: only what is shown) whose
    **public** texts (comment, clause comments; never the answers, which the page does not
    show) match ``query``, newest first by date received. Nothing when the query has no
    word."""
    tsquery = compiled(query, public=True).tsquery
    if not tsquery:
        return shown.none()
    return _newest_first(_matching(shown, tsquery))


@dataclass
class ResultPage:
    """One page of results without counting every match: ``total`` is exact up to
    ``COUNT_LIMIT`` (``more`` says there are more)."""

    number: int
    size: int = PAGE_SIZE
    rows: list = field(default_factory=list)
    total: int = 0
    more: bool = False
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        return None if self.more else max(1, -(-self.total // self.size))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def page_number(value) -> int:
    """The page asked for in a query string: a positive number, else 1 (never an error)."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), 1_000_000)


def planner_settings_off(total: int) -> tuple[str, ...]:
    """The planner settings turned off to read a page of a query with ``total`` matches
    (capped at COUNT_LIMIT + 1), see page_of."""
    if total > COUNT_LIMIT:
        return ("enable_bitmapscan", "enable_seqscan", "enable_sort")
    return ("enable_indexscan",)


def page_of(qs: QuerySet, number, fields: tuple[str, ...], size: int = PAGE_SIZE) -> ResultPage:
    """Page ``number`` (1-based; anything else is page 1) of ``qs`` as dicts of ``fields``, and
    the total. A page past the end is the last page; pages go as far as the first
    ``COUNT_LIMIT`` results (a deeper OFFSET would read every row before it: narrow the search
    instead)."""
    total = qs.order_by()[: COUNT_LIMIT + 1].count()  # no sort to count
    last = max(1, -(-min(total, COUNT_LIMIT) // size))
    number = min(page_number(number), last)
    offset = (number - 1) * size
    page = qs.values(*fields)[offset : offset + size + 1]
    # The plan is chosen from the count, not from the planner's estimate, which is far off for
    # a rare bigram or a phrase (bench/search.py, docs/performance.md):
    # - more than COUNT_LIMIT matches: walk the date-received index newest first until the page
    #   is full (at least one row in N / COUNT_LIMIT matches, so the walk is short); the planner
    #   would otherwise read every match of a phrase through the GIN index and sort them;
    # - at most COUNT_LIMIT: read them through the GIN index and sort them; the planner would
    #   otherwise walk the whole consultation looking for 50 matches that are not there (16 s
    #   on 1M rows).
    settings_off = planner_settings_off(total)
    with transaction.atomic(), connection.cursor() as cursor:
        for name in settings_off:
            cursor.execute(f"SET LOCAL {name} = off")
        try:
            rows = list(page)
        finally:  # within a caller's transaction too, the settings end here
            for name in settings_off:
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")
    return ResultPage(
        number=number,
        size=size,
        rows=rows[:size],
        total=min(total, COUNT_LIMIT),
        more=total > COUNT_LIMIT,
        has_next=len(rows) > size and number < last,
    )
