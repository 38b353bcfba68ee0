from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

FONT_SIZES = ("standard", "large", "xlarge")
CONTRASTS = ("normal", "high")
FONT_COOKIE = "tj_font"
CONTRAST_COOKIE = "tj_contrast"

# Standard pages linked from every page's header and footer, created by ``setup_site``.
SITE_LINK_SLUGS = ("consultations", "how-to-take-part", "privacy", "accessibility", "methodology")


def read_preferences(request: HttpRequest) -> dict[str, str]:
    font = request.COOKIES.get(FONT_COOKIE, "standard")
    contrast = request.COOKIES.get(CONTRAST_COOKIE, "normal")
    return {
        "font_size": font if font in FONT_SIZES else "standard",
        "contrast": contrast if contrast in CONTRASTS else "normal",
    }


def site_links(request: HttpRequest) -> dict[str, str]:
    """URLs of the fixed pages keyed by slug with "_" for "-"; one query, only when used."""
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
    pages = Page.objects.live().filter(url_path__in=paths).values_list("slug", "url_path")
    return {slug.replace("-", "_"): url_path[len(root_path) - 1 :] for slug, url_path in pages}


def preferences(request: HttpRequest) -> dict:
    return {
        "prefs": read_preferences(request),
        "site_links": SimpleLazyObject(lambda: site_links(request)),
    }
