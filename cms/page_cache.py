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

2. **Routing shortcut.** ``consultation_page`` is routed for ``/<index>/<slug>/`` ahead of
   Wagtail's catch-all. With a single Wagtail site it checks in one query everything Wagtail's
   routing would look at (the site, the index page under the site root, live, its type, view
   restrictions and aliases of it and its ancestors), reads the fixed pages' links for the
   header and footer and the consultation's version, and serves the page. In any other case
   (another page, POST, several sites, a restriction, an unknown slug, extra serve hooks) it
   hands the request to Wagtail's own ``serve`` view unchanged.
"""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.cache import caches
from django.db.models.expressions import RawSQL
from django.db.models.signals import post_save, pre_delete
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from feedback.db import fetch_prepared

CACHE_ALIAS = "pages"
KEY_PREFIX = "consultation-main:v1"
DETAIL_TEMPLATE = "cms/consultation/detail.html"
MAIN_TEMPLATE = "cms/consultation/main.html"

# Tests switch the routing shortcut off to compare it with Wagtail's routing.
FAST_ROUTE_ENABLED = True


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


def _row_version_sql(table: str) -> str:
    return f'"{table}".xmin::text || "{table}".ctid::text'


def consultation_stamp(slug: str) -> ConsultationStamp | None:
    """The stamp of the published consultation ``slug``, or None (one query)."""
    from consultations.models import Consultation

    row = (
        Consultation.objects.published()
        .filter(slug=slug)
        .annotate(row_version=RawSQL(_row_version_sql(Consultation._meta.db_table), ()))  # noqa: S611
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


# --- Routing shortcut ------------------------------------------------------------------------

_FAST_SQL = """
SELECT
    (SELECT count(*) FROM {site}) AS site_count,
    s.hostname,
    s.is_default_site,
    r.content_type_id,
    r.url_path,
    i.id,
    i.live,
    i.content_type_id,
    EXISTS (
        SELECT 1 FROM {page} a
        WHERE i.path LIKE a.path || '%%'
          AND (a.alias_of_id IS NOT NULL
               OR EXISTS (SELECT 1 FROM {restriction} v WHERE v.page_id = a.id))
    ) AS guarded,
    (SELECT json_agg(json_build_array(l.slug, l.url_path, l.content_type_id = i.content_type_id)
                     ORDER BY l.path)
       FROM {page} l
      WHERE l.live
        AND (l.url_path IN (SELECT r.url_path || x || '/' FROM unnest(%s::text[]) AS x)
             OR (l.content_type_id = i.content_type_id
                 AND l.depth = r.depth + 1
                 AND l.path LIKE r.path || '%%'))
    ) AS links,
    c.id,
    {row_version},
    c.updated_at,
    c.opens_at,
    c.closes_at,
    c.stage
FROM {site} s
JOIN {page} r ON r.id = s.root_page_id
LEFT JOIN {page} i ON i.slug = %s AND i.depth = r.depth + 1 AND i.path LIKE r.path || '%%'
LEFT JOIN {consultation} ON c.slug = %s AND c.live
ORDER BY s.id
LIMIT 1
"""

_sql_cache: list[str] = []


def _fast_sql() -> str:
    if not _sql_cache:
        from wagtail.models import Page, PageViewRestriction, Site

        from consultations.models import Consultation

        table = Consultation._meta.db_table
        _sql_cache.append(
            _FAST_SQL.format(
                site=Site._meta.db_table,
                page=Page._meta.db_table,
                restriction=PageViewRestriction._meta.db_table,
                consultation=f'"{table}" c',
                row_version=_row_version_sql(table).replace(f'"{table}"', "c"),
            )
        )
    return _sql_cache[0]


def _default_serve_hooks() -> bool:
    """True while only Wagtail's own serve hooks are registered (the shortcut mirrors them)."""
    from wagtail import hooks
    from wagtail.wagtail_hooks import check_request_method, check_view_restrictions

    return hooks.get_hooks("before_serve_page") == [check_request_method] and hooks.get_hooks(
        "on_serve_page"
    ) == [check_view_restrictions]


def _wagtail_serve(
    request: HttpRequest, index_slug: str, slug: str, rest: str = ""
) -> HttpResponse:
    from wagtail.views import serve

    return serve(request, f"{index_slug}/{slug}/{rest}")


def _routed_row(request: HttpRequest, index_slug: str, slug: str, subpath: str, route: str):
    """The routing query's row when Wagtail would route ``/<index>/<subpath>`` to the index
    page's route ``route`` the default way; None whenever Wagtail must decide."""
    from django.contrib.contenttypes.models import ContentType

    from cms.context_processors import SITE_LINK_SLUGS
    from cms.models import ConsultationIndexPage, HomePage

    if not FAST_ROUTE_ENABLED or getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return None  # routing through translations is left to Wagtail
    match = ConsultationIndexPage.get_resolver().resolve(subpath)
    if match.url_name != route or not _default_serve_hooks():
        return None
    row = fetch_prepared(_fast_sql(), [list(SITE_LINK_SLUGS), index_slug, slug])
    if row is None:
        return None
    site_count, hostname, is_default_site, root_type, _root_path, index_id, index_live = row[:7]
    index_type, guarded = row[7:9]
    host = split_domain_port(request._get_raw_host())[0]
    types = ContentType.objects.get_for_models(HomePage, ConsultationIndexPage)
    routable = (
        site_count == 1  # Wagtail's choice among several sites is left to Wagtail
        and (is_default_site or hostname == host)
        and root_type == types[HomePage].pk  # HomePage routes children the default way
        and index_id is not None
        and index_live
        and index_type == types[ConsultationIndexPage].pk
        and not guarded
    )
    return row if routable else None


def consultation_page(request: HttpRequest, index_slug: str, slug: str) -> HttpResponse:
    """``/<index>/<slug>/``: the consultation page in one query, else Wagtail's ``serve``."""
    from cms.context_processors import site_links_from_rows
    from cms.models import ConsultationIndexPage

    row = None
    if request.method in ("GET", "HEAD"):
        row = _routed_row(request, index_slug, slug, f"/{slug}/", "consultation_detail")
    if row is None or row[10] is None:  # not routable here, or no such consultation
        return _wagtail_serve(request, index_slug, slug)
    root_path, links = row[4], row[9]
    pk, version, updated_at, opens_at, closes_at, stage = row[10:16]
    stamp = ConsultationStamp(pk, slug, version, updated_at, opens_at, closes_at, stage)
    base = reverse("wagtail_serve", args=(f"{index_slug}/",))
    context = detail_context(stamp, detail_url=ConsultationIndexPage.detail_path(base, slug))
    # What cms.context_processors.site_links would read, from the same query.
    context["site_links"] = site_links_from_rows(root_path, links or ())
    return shell_response(request, context)


class LazyIndexPage(SimpleLazyObject):
    """The consultation index page, read from the database only when something needs more
    than its routes: the opinion form's success path (a redirect to the receipt) needs only
    ``reverse_subpage``; a page re-rendered with errors reads the page as usual."""

    def reverse_subpage(self, name, args=None, kwargs=None):
        from cms.models import ConsultationIndexPage

        return ConsultationIndexPage.get_resolver().reverse(name, *(args or ()), **(kwargs or {}))


# A POST of the opinion form may reuse the routing row another POST to the same form read in
# the last ROUTE_SECONDS (per process), while it says the consultation is open. Its INSERT then
# checks in the same statement that the consultation row is still the version read
# (``route_version``), and stores and counts nothing otherwise; the request is then routed
# again. What is not re-checked within that second: the site and index page (published,
# restricted), which no opinion depends on. docs/adr/0007-opinion-post-path.md, point 11.
ROUTE_SECONDS = 1.0
ROUTES_MAX = 256
_recent_routes: dict[tuple, tuple[float, tuple]] = {}


def forget_routes() -> None:
    """Forget the remembered routing rows (tests; a new process starts with none)."""
    _recent_routes.clear()


def opinion_form_page(request: HttpRequest, index_slug: str, slug: str) -> HttpResponse:
    """``/<index>/<slug>/opinion/``: the opinion form without Wagtail's routing when it is safe.

    The same view (``feedback.views.opinion_form``) answers as through Wagtail's ``serve``
    and the index page's route; only the site and page look-ups are replaced by the routing
    query, and the page itself is read only if the response renders it.
    """
    from feedback.services import StaleRoute

    key = None
    if request.method == "POST" and FAST_ROUTE_ENABLED:
        key = (split_domain_port(request._get_raw_host())[0], index_slug, slug)
        seen = _recent_routes.get(key)
        if seen is not None and time.monotonic() - seen[0] < ROUTE_SECONDS:
            from consultations.models import Consultation

            row = seen[1]
            pk, version, updated_at, opens_at, closes_at, stage = row[10:16]
            stamp = ConsultationStamp(pk, slug, version, updated_at, opens_at, closes_at, stage)
            if stamp.status(timezone.now()) == Consultation.Status.OPEN:
                try:
                    return _opinion_form(request, index_slug, slug, row, route_version=version)
                except StaleRoute:
                    pass  # the consultation changed: nothing was stored; route it again
            _recent_routes.pop(key, None)
    row = _routed_row(request, index_slug, slug, f"/{slug}/opinion/", "opinion_form")
    if row is None:
        return _wagtail_serve(request, index_slug, slug, "opinion/")
    if key is not None and row[10] is not None:
        if len(_recent_routes) >= ROUTES_MAX:
            _recent_routes.clear()
        _recent_routes[key] = (time.monotonic(), row)
    return _opinion_form(request, index_slug, slug, row)


def _opinion_form(request, index_slug: str, slug: str, row: tuple, route_version=None):
    from cms.models import ConsultationIndexPage
    from consultations.models import Consultation
    from feedback import views

    index_id = row[5]
    page = LazyIndexPage(lambda: ConsultationIndexPage.objects.get(pk=index_id))
    consultation = None
    if row[10] is not None:
        # The published consultation's fields that the POST path reads, from the same query;
        # the others are deferred (a page rendered for it reads the whole row).
        pk, _version, updated_at, opens_at, closes_at, stage = row[10:16]
        known = {
            "id": pk,
            "slug": slug,
            "live": True,
            "updated_at": updated_at,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "stage": stage,
        }
        names = [f.attname for f in Consultation._meta.concrete_fields if f.attname in known]
        consultation = Consultation.from_db("default", names, [known[n] for n in names])
    if consultation is not None and request.method in ("GET", "HEAD"):
        stamp = ConsultationStamp(row[10], slug, *row[11:16])
        if stamp.status(timezone.now()) == Consultation.Status.OPEN:
            response = _cached_form_response(request, index_slug, row, stamp, consultation, page)
            if response is not None:
                return response
    return views.opinion_form(
        request, page=page, slug=slug, consultation=consultation, route_version=route_version
    )


# --- The empty opinion form, rendered once per version (docs/adr/0008-opinion-form-cache.md) ---

FORM_TEMPLATE = "feedback/opinion_form.html"
FORM_PAGES_MAX = 32  # per consultation version: languages x text sizes x contrasts, with room


def _form_pieces(stamp: ConsultationStamp, consultation_url: str, prefs: dict, links: dict, page):
    """The empty form page of ``stamp``'s consultation rendered with markers for the CSRF
    token, the path and the idempotency token, split into literal text and slot names; None
    when the consultation is no longer published."""
    from feedback import selectors, views

    consultation = selectors.published_consultation_by_slug(stamp.slug)
    if consultation is None or consultation.pk != stamp.pk:
        return None
    context = views.new_form_context(page, consultation, consultation_url, token=_SLOTS["token"])
    context.update(
        csrf_token=_SLOTS["csrf"],
        request=_PathOnly(),
        prefs=prefs,
        site_links=links,
        messages=(),
    )
    html = render_to_string(FORM_TEMPLATE, context)
    return [_SLOT_NAMES.get(piece, piece) for piece in _SLOT_RE.split(html)]


def _cached_form_response(request, index_slug: str, row, stamp, consultation, page):
    """The empty opinion form of an open consultation, from the page rendered once for this
    version of the consultation, language, preferences and header links; a fresh CSRF token,
    idempotency token and path per request. None when the page must be rendered in full
    (messages waiting, no CSRF middleware, not published any more)."""
    from django.contrib.messages import get_messages
    from django.middleware.csrf import get_token

    from cms.context_processors import read_preferences, site_links_from_rows
    from cms.models import ConsultationIndexPage
    from feedback import views

    pending = get_messages(request)
    token = get_token(request)
    if (pending is not None and len(pending)) or token is None:
        return None
    prefs = read_preferences(request)
    links = site_links_from_rows(row[4], row[9] or ())
    base = reverse("wagtail_serve", args=(f"{index_slug}/",))
    consultation_url = ConsultationIndexPage.detail_path(base, stamp.slug)
    key = (
        stamp.row_version,
        get_language() or "",
        get_script_prefix(),
        consultation_url,
        tuple(sorted(prefs.items())),
        tuple(sorted(links.items())),
    )
    # Kept with the form's alternatives, questions and clauses (feedback.views.FormParts, per
    # consultation and ``updated_at``, renewed every minute): the page shows the parts that
    # a POST of it is checked against.
    pages = views.form_parts(consultation).pages
    pieces = pages.get(key)
    if pieces is None:
        pieces = _form_pieces(stamp, consultation_url, prefs, links, page)
        if pieces is None:
            return None
        if len(pages) >= FORM_PAGES_MAX:
            pages.clear()
        pages[key] = pieces
    values = {
        "csrf": escape(token),
        "path": escape(request.get_full_path()),
        "token": str(uuid.uuid4()),
    }
    # Odd items are slot names (re.split with one group); values are never scanned again.
    response = HttpResponse(
        "".join(values[piece] if i % 2 else piece for i, piece in enumerate(pieces))
    )
    return views.no_store(response)


# --- The shell around the main region ----------------------------------------------------------

# Private-use characters: never produced by escaping, so they survive rendering intact.
_SLOTS = {
    "title": "\ue000title\ue001",
    "main": "\ue000main\ue001",
    "csrf": "\ue000csrf\ue001",
    "path": "\ue000path\ue001",
    "token": "\ue000token\ue001",
}
_SLOT_NAMES = {marker: name for name, marker in _SLOTS.items()}
_SLOT_RE = re.compile("(" + "|".join(map(re.escape, _SLOTS.values())) + ")")


class _PathOnly:
    """Stands in for the request in the shell: the forms' ``next`` field is a slot."""

    def get_full_path(self) -> str:
        return _SLOTS["path"]


def _shell_pieces(prefs: dict, site_links: dict) -> list[str]:
    """``detail.html`` rendered once with markers, split into literal text and slot names.

    Its only per-request parts are the CSRF token, the request path (the forms' ``next``),
    the messages (the shell is only used when there are none) and the title and main region;
    everything else it reads is in the cache key of ``shell_response``.
    """
    html = render_to_string(
        DETAIL_TEMPLATE,
        {
            "consultation_title": mark_safe(_SLOTS["title"]),  # noqa: S308 - constant
            "consultation_main": mark_safe(_SLOTS["main"]),  # noqa: S308 - constant
            "csrf_token": _SLOTS["csrf"],
            "request": _PathOnly(),
            "prefs": prefs,
            "site_links": site_links,
            "messages": (),
        },
    )
    return [_SLOT_NAMES.get(piece, piece) for piece in _SLOT_RE.split(html)]


def shell_response(request: HttpRequest, context: dict) -> HttpResponse:
    """The page: the cached shell filled in for this request, or a full render when needed.

    Equivalent to ``TemplateResponse(request, DETAIL_TEMPLATE, context)`` (tests compare
    them); the full render is used when there are messages to show or no CSRF middleware.
    """
    from django.contrib.messages import get_messages
    from django.middleware.csrf import get_token

    from cms.context_processors import read_preferences

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
    from consultations.models import Attachment, Consultation

    ids = Attachment.objects.filter(document_id=instance.pk).values("consultation_id")
    touch_consultations(Consultation.objects.filter(pk__in=ids))


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
