"""The public consultation page, fast: a cached ``<main>`` and one query per request.

Two parts (docs/adr/0004-page-fragment-cache.md):

1. **Fragment cache.** The page's content (``cms/consultation/main.html``) is rendered without
   the request and kept in the per-process cache alias ``pages``, keyed by everything it shows:
   the consultation's row version (PostgreSQL ``xmin`` and ``ctid``, which change on every
   write of the row, plus ``updated_at``), its derived status, today's date in the consultation
   time zone ("days left"), the language and the page's URL. Services that change related rows
   (clauses, change log…) write the consultation row too (``consultations.services``), and the
   receivers below do the same when a department, district or document shown on the page
   changes. The shell around it (``detail.html`` on ``base.html``: CSRF tokens, language and
   preference forms, messages) is rendered for every request.

2. **Routing shortcut** (``cms.fast_route``). ``consultation_page`` is routed for
   ``/<index>/<slug>/`` ahead of Wagtail's catch-all. With a single Wagtail site it checks in
   one query everything Wagtail's routing would look at (the site, the index page under the
   site root, live, its type, view restrictions and aliases of it and its ancestors), reads the
   fixed pages' links for the header and footer and the consultation's version, and serves the
   page. In any other case (another page, POST, several sites, a restriction, an unknown slug,
   extra serve hooks) it hands the request to Wagtail's own ``serve`` view unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.cache import caches
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_save, pre_delete
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from cms import slots
from cms.preferences import read_preferences

CACHE_ALIAS = "pages"
KEY_PREFIX = "consultation-main:v1"
DETAIL_TEMPLATE = "cms/consultation/detail.html"
MAIN_TEMPLATE = "cms/consultation/main.html"


def page_cache():
    """The ``pages`` cache (per-process memory); ``default`` where no such alias is set up."""
    return caches[CACHE_ALIAS if CACHE_ALIAS in settings.CACHES else "default"]


@dataclass(frozen=True)
class ConsultationStamp:
    """What the cache key needs of a published consultation, read in one cheap query."""

    pk: int
    slug: str
    row_version: str  # xmin and ctid: different after every UPDATE of the row
    updated_at: datetime
    opens_at: datetime | None
    closes_at: datetime | None
    stage: str
    live: bool = True

    def status(self, now: datetime) -> str:
        from consultations.models import Consultation

        # status_at only reads live, opens_at, closes_at and stage, which a stamp has.
        return Consultation.status_at(self, now)  # type: ignore[arg-type]


def row_version_sql(table: str) -> str:
    return f'"{table}".xmin::text || "{table}".ctid::text'


def consultation_stamp(slug: str) -> ConsultationStamp | None:
    """The stamp of the published consultation ``slug``, or None (one query)."""
    from consultations.models import Consultation

    row = (
        Consultation.objects.published()
        .filter(slug=slug)
        .annotate(row_version=RawSQL(row_version_sql(Consultation._meta.db_table), ()))  # noqa: S611
        .values_list("pk", "row_version", "updated_at", "opens_at", "closes_at", "stage")
        .first()
    )
    if row is None:
        return None
    pk, version, updated_at, opens_at, closes_at, stage = row
    return ConsultationStamp(pk, slug, version, updated_at, opens_at, closes_at, stage)


def local_today(now: datetime) -> date:
    from consultations.periods import local_date

    return local_date(now)


def cache_key(stamp: ConsultationStamp, *, now: datetime, detail_url: str) -> str:
    """Everything ``main.html`` depends on besides the rows the stamp versions."""
    parts = (
        stamp.pk,
        stamp.row_version,
        stamp.updated_at.isoformat(),
        stamp.status(now),
        local_today(now).isoformat(),  # "days left" changes at local midnight
        get_language() or "",
        detail_url,
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}:{stamp.pk}:{digest}"


def render_main(slug: str, *, now: datetime, detail_url: str) -> tuple[str, str]:
    """(title, HTML of the main region), rendered from the database without the request."""
    from cms.detail import consultation_detail_context
    from consultations.models import Consultation
    from consultations.selectors import consultation_get_public

    try:
        consultation = consultation_get_public(slug)
    except Consultation.DoesNotExist:
        raise Http404 from None
    context = consultation_detail_context(consultation, now=now)
    context["detail_url"] = detail_url
    return consultation.tr("title"), render_to_string(MAIN_TEMPLATE, context)


def detail_context(stamp: ConsultationStamp, *, detail_url: str, now=None) -> dict:
    """Context of ``detail.html``: the cached main region, rendered on a miss."""
    now = now or timezone.now()
    cache = page_cache()
    key = cache_key(stamp, now=now, detail_url=detail_url)
    entry = cache.get(key)
    if entry is None:
        entry = render_main(stamp.slug, now=now, detail_url=detail_url)
        cache.set(key, entry)
    title, main = entry
    return {"consultation_title": title, "consultation_main": mark_safe(main)}  # noqa: S308


# --- The shell around the main region ----------------------------------------------------------


def _shell_pieces(prefs: dict, site_links: dict) -> list[str]:
    """``detail.html`` rendered once with markers, split into literal text and slot names.

    Its only per-request parts are the CSRF token, the request path (the forms' ``next``),
    the messages (the shell is only used when there are none) and the title and main region;
    everything else it reads is in the cache key of ``shell_response``.
    """
    html = render_to_string(
        DETAIL_TEMPLATE,
        {
            "consultation_title": mark_safe(slots.SLOTS["title"]),  # noqa: S308 - constant
            "consultation_main": mark_safe(slots.SLOTS["main"]),  # noqa: S308 - constant
            "csrf_token": slots.SLOTS["csrf"],
            "request": slots.PathOnly(),
            "prefs": prefs,
            "site_links": site_links,
            "messages": (),
        },
    )
    return [slots.SLOT_NAMES.get(piece, piece) for piece in slots.SLOT_RE.split(html)]


def shell_response(request: HttpRequest, context: dict) -> HttpResponse:
    """The page: the cached shell filled in for this request, or a full render when needed.

    Equivalent to ``TemplateResponse(request, DETAIL_TEMPLATE, context)`` (tests compare
    them); the full render is used when there are messages to show or no CSRF middleware.
    """
    from django.contrib.messages import get_messages
    from django.middleware.csrf import get_token

    pending = get_messages(request)
    token = get_token(request)
    if (pending is not None and len(pending)) or token is None:
        return TemplateResponse(request, DETAIL_TEMPLATE, context)
    prefs = read_preferences(request)
    links = context["site_links"]
    key = (
        "consultation-shell:v1:"
        + hashlib.sha256(
            repr(
                (
                    get_language(),
                    get_script_prefix(),
                    sorted(prefs.items()),
                    sorted(links.items()),
                )
            ).encode()
        ).hexdigest()[:32]
    )
    cache = page_cache()
    pieces = cache.get(key)
    if pieces is None:
        pieces = _shell_pieces(prefs, links)
        cache.set(key, pieces)
    values = {
        "title": escape(context["consultation_title"]),
        "main": context["consultation_main"],
        "csrf": escape(token),
        "path": escape(request.get_full_path()),
    }
    # Odd items are slot names (re.split with one group); values are never scanned again.
    return HttpResponse(
        "".join(values[piece] if i % 2 else piece for i, piece in enumerate(pieces))
    )


# --- Invalidation for rows the page shows but the consultation row does not hold ----------------


def touch_consultations(queryset) -> int:
    """Write ``updated_at`` of these consultations, so their cached pages are re-rendered."""
    return queryset.update(updated_at=timezone.now())


def _department_saved(sender, instance, **kwargs):
    from consultations.models import Consultation

    touch_consultations(Consultation.objects.filter(department_id=instance.pk))


def _district_changed(sender, instance, **kwargs):
    from consultations.models import Consultation

    touch_consultations(Consultation.objects.filter(districts__pk=instance.pk))


def _document_saved(sender, instance, **kwargs):
    """A document renamed or replaced: every page that links it, as an attachment, as the
    decision's document or as a document of a step of the decision chain."""
    from django.db.models import Q

    from consultations.models import Attachment, Consultation, Decision, DecisionStep

    shown = (
        Q(pk__in=Attachment.objects.filter(document_id=instance.pk).values("consultation_id"))
        | Q(pk__in=Decision.objects.filter(document_id=instance.pk).values("consultation_id"))
        | Q(pk__in=DecisionStep.objects.filter(document_id=instance.pk).values("consultation_id"))
    )
    touch_consultations(Consultation.objects.filter(shown))


def connect_receivers() -> None:
    from wagtail.documents import get_document_model_string

    post_save.connect(
        _department_saved, sender="consultations.Department", dispatch_uid="page_cache_dept"
    )
    post_save.connect(
        _district_changed, sender="consultations.District", dispatch_uid="page_cache_district"
    )
    # Before the delete, while the district is still linked to its consultations.
    pre_delete.connect(
        _district_changed, sender="consultations.District", dispatch_uid="page_cache_district_d"
    )
    post_save.connect(
        _document_saved, sender=get_document_model_string(), dispatch_uid="page_cache_document"
    )
