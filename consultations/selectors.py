"""Public reads of consultations, each a small constant number of queries.

Other apps (feedback, cms) read consultations through these functions.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from consultations.models import (
    Attachment,
    ChangeLogEntry,
    Consultation,
    Department,
    District,
    DraftVersion,
    Stage,
)

CLOSING_SOON_DAYS = 7
RECENTLY_ANSWERED = 5


def _base() -> QuerySet[Consultation]:
    return (
        Consultation.objects.published().select_related("department").prefetch_related("districts")
    )


def district_with_descendants(district: District | int | str) -> set[int]:
    """Ids of a district and everything below it (one query over the gazetteer).

    ``district`` is a District, a primary key (int) or a code (str). A string is always a
    code: administrative division codes are digits too (330106), so "330106" is never a key.
    """
    rows = list(District.objects.values_list("id", "parent_id", "code"))
    if isinstance(district, District):
        root = district.pk
    elif isinstance(district, int):
        root = district if any(pk == district for pk, _parent, _code in rows) else None
    else:
        root = next((pk for pk, _parent, code in rows if code == str(district)), None)
    if root is None:
        return set()
    children: dict[int, list[int]] = {}
    for pk, parent, _code in rows:
        children.setdefault(parent, []).append(pk)
    found, stack = set(), [root]
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(children.get(node, ()))
    return found


def consultation_list_public(
    *,
    status: str | None = None,
    kind: str | None = None,
    district: District | int | str | None = None,
    department: Department | int | str | None = None,
    q: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Consultation]:
    """Published consultations, filtered. ``district`` (object, int id or str code) covers the
    areas below it; ``department`` is an object, an int id or a str slug."""
    now = now or timezone.now()
    qs = _base()
    if status:
        qs = qs.with_status(status, now)
    if kind:
        qs = qs.filter(kind=kind)
    if department:
        if isinstance(department, Department):
            qs = qs.filter(department=department)
        elif isinstance(department, int):  # a string is a slug, even when all digits
            qs = qs.filter(department_id=department)
        else:
            qs = qs.filter(department__slug=department)
    if district:
        ids = district_with_descendants(district)
        through = Consultation.districts.through.objects.filter(district_id__in=ids)
        qs = qs.filter(pk__in=through.values("consultation_id"))
    if q and q.strip():
        term = q.strip()
        qs = qs.filter(
            Q(title__icontains=term)
            | Q(title_en__icontains=term)
            | Q(plain_summary__icontains=term)
            | Q(plain_summary_en__icontains=term)
        )
    return qs


def consultation_get_public(slug: str) -> Consultation:
    """A published consultation with everything the detail page shows, in 8 queries.

    ``latest_draft_version`` is set on the result (None before the first publication); each
    version in ``draft_versions.all()`` (newest first) has its clauses prefetched.
    Raises Consultation.DoesNotExist.
    """
    consultation = (
        Consultation.objects.published()
        .select_related("department")
        .prefetch_related(
            "districts",
            "alternatives",
            "questions",
            Prefetch(
                "attachments",
                queryset=Attachment.objects.select_related("document").order_by("sort_order"),
            ),
            Prefetch(
                "draft_versions",
                queryset=DraftVersion.objects.order_by("-number").prefetch_related("clauses"),
            ),
            Prefetch("change_log", queryset=ChangeLogEntry.objects.order_by("-created_at", "-pk")),
        )
        .get(slug=slug)
    )
    versions = list(consultation.draft_versions.all())
    consultation.latest_draft_version = versions[0] if versions else None
    return consultation


def home_sections(now: datetime | None = None) -> dict[str, list[Consultation]]:
    """The home page lists: open, closing soon, upcoming, recently answered (max 5)."""
    now = now or timezone.now()
    base = _base()
    open_now = list(base.open_now(now).order_by("closes_at", "pk"))
    soon_limit = now + timedelta(days=CLOSING_SOON_DAYS)
    return {
        "open": open_now,
        "closing_soon": [c for c in open_now if c.closes_at <= soon_limit],
        "upcoming": list(base.upcoming(now).order_by("opens_at", "pk")),
        "recently_answered": list(
            base.closed(now)
            .filter(stage__in=[Stage.RESPONSE_PUBLISHED, Stage.DECIDED])
            .order_by(Coalesce(F("decided_at"), F("closes_at")).desc(), "-pk")[:RECENTLY_ANSWERED]
        ),
    }
