"""The routing shortcut: consultation URLs served after one query instead of Wagtail's routing."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from cms import route_memory
from cms.opinion_form_cache import cached_form_response
from cms.page_cache import ConsultationStamp, detail_context, row_version_sql, shell_response
from feedback.intake.db import fetch_prepared

# Tests switch the routing shortcut off to compare it with Wagtail's routing.
FAST_ROUTE_ENABLED = True

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
    c.stage,
    c.opinions_per_network
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
                row_version=row_version_sql(table).replace(f'"{table}"', "c"),
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


def opinion_form_page(request: HttpRequest, index_slug: str, slug: str) -> HttpResponse:
    """``/<index>/<slug>/opinion/``: the opinion form without Wagtail's routing when it is safe.

    The same view (``feedback.intake.views.opinion_form``) answers as through Wagtail's ``serve``
    and the index page's route; only the site and page look-ups are replaced by the routing
    query, and the page itself is read only if the response renders it.
    """
    from feedback.intake.services import StaleRoute

    key = None
    if request.method == "POST" and FAST_ROUTE_ENABLED:
        key = (split_domain_port(request._get_raw_host())[0], index_slug, slug)
        row = route_memory.recall(key)
        if row is not None:
            from consultations.models import Consultation

            pk, version, updated_at, opens_at, closes_at, stage = row[10:16]
            stamp = ConsultationStamp(pk, slug, version, updated_at, opens_at, closes_at, stage)
            if stamp.status(timezone.now()) == Consultation.Status.OPEN:
                try:
                    return _opinion_form(request, index_slug, slug, row, route_version=version)
                except StaleRoute:
                    pass  # the consultation changed: nothing was stored; route it again
            route_memory.forget(key)
    row = _routed_row(request, index_slug, slug, f"/{slug}/opinion/", "opinion_form")
    if row is None:
        return _wagtail_serve(request, index_slug, slug, "opinion/")
    if key is not None and row[10] is not None:
        route_memory.remember(key, row)
    return _opinion_form(request, index_slug, slug, row)


def _opinion_form(request, index_slug: str, slug: str, row: tuple, route_version=None):
    from cms.models import ConsultationIndexPage
    from consultations.models import Consultation
    from feedback.intake import views

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
            "opinions_per_network": row[16],
        }
        names = [f.attname for f in Consultation._meta.concrete_fields if f.attname in known]
        consultation = Consultation.from_db("default", names, [known[n] for n in names])
    if consultation is not None and request.method in ("GET", "HEAD"):
        stamp = ConsultationStamp(row[10], slug, *row[11:16])
        if stamp.status(timezone.now()) == Consultation.Status.OPEN:
            response = cached_form_response(request, index_slug, row, stamp, consultation, page)
            if response is not None:
                return response
    if consultation is None:
        # No published consultation here: the form view answers 404, or a consultation withdrawn
        # by two people gets the same 410 notice as its page (cms.routes_feedback).
        return page.opinion_form_route(request, slug)
    return views.opinion_form(
        request, page=page, slug=slug, consultation=consultation, route_version=route_version
    )
