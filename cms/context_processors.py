from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from cms.preferences import read_preferences

# Standard pages linked from every page's header and footer, created by ``setup_site``.
SITE_LINK_SLUGS = ("consultations", "how-to-take-part", "privacy", "accessibility", "methodology")


def site_links(request: HttpRequest) -> dict[str, str]:
    """URLs of the fixed pages keyed by slug with "_" for "-"; one query, only when used.

    Also ``receipt_lookup``: the receipt look-up of the consultation index page, found by its
    type whatever its slug (the first by tree order if there are several).
    """
    from django.db.models import Q
    from wagtail.models import Page, Site

    site = Site.find_for_request(request)
    if site is None:
        return {}
    root_path = next(
        (p.root_path for p in Site.get_site_root_paths() if p.site_id == site.pk), None
    )
    if root_path is None:
        return {}
    paths = [f"{root_path}{slug}/" for slug in SITE_LINK_SLUGS]
    index_page = Q(
        content_type__app_label="cms",
        content_type__model="consultationindexpage",
        url_path__startswith=root_path,
        depth=root_path.count("/") + 1,  # a child of the site's root page
    )
    rows = (
        Page.objects.live()
        .filter(Q(url_path__in=paths) | index_page)
        .order_by("path")
        .values_list("slug", "url_path", "content_type__model")
    )
    return site_links_from_rows(
        root_path, [(slug, path, model == "consultationindexpage") for slug, path, model in rows]
    )


def site_links_from_rows(root_path: str, rows) -> dict[str, str]:
    """``site_links`` from ``(slug, url_path, is_consultation_index)`` rows in tree order.

    Shared with the routing shortcut in ``cms.fast_route``, which reads the same rows in its
    own query, so that both give the same links.
    """
    from cms.models import ConsultationIndexPage

    links = {}
    for slug, url_path, is_index in rows:
        url = url_path[len(root_path) - 1 :]
        if slug in SITE_LINK_SLUGS:
            links[slug.replace("-", "_")] = url
        if is_index and "receipt_lookup" not in links:
            route = ConsultationIndexPage.get_resolver().reverse("receipt_lookup")
            links["receipt_lookup"] = url + route.lstrip("/")
    return links


def preferences(request: HttpRequest) -> dict:
    return {
        "prefs": read_preferences(request),
        "site_links": SimpleLazyObject(lambda: site_links(request)),
    }
