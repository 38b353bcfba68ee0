"""Helpers shared by the public views served through the consultation index page: cache
headers, sub-page URLs and the base context. Imports only ``consultations``.
"""

from __future__ import annotations

import functools
import re
import time

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import http_date

from consultations.models import Consultation

NO_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"
_expires: tuple[int, str] = (0, "")  # (second, its HTTP date): one date per second


def never_cache(view):
    """Django's ``never_cache`` for our views, with the same headers (``Expires`` now,
    ``Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private``) set directly
    when the response has none yet, instead of parsing and patching them."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return no_store(view(request, *args, **kwargs))

    return wrapper


def no_store(response: HttpResponse) -> HttpResponse:
    """The headers of Django's ``add_never_cache_headers``, set directly on a response that
    has none of them yet."""
    if response.has_header("Cache-Control") or response.has_header("Expires"):
        add_never_cache_headers(response)
        return response
    global _expires  # noqa: PLW0603 - a per-process memo, replaced whole
    now, expires = int(time.time()), _expires
    if expires[0] != now:
        expires = _expires = (now, http_date(now))
    response.headers["Expires"] = expires[1]
    response.headers["Cache-Control"] = NO_STORE
    return response


# Sub-paths of the index page's routes, per page class, route and arguments: the routes are
# declared on the class, so a reversed path never changes while the process runs. A receipt
# code (letters, digits and hyphens, which URLs keep as they are) goes into the path of a
# sample code, so every code shares one entry.
_SUBPATHS: dict[tuple, str] = {}
_SAMPLE_CODE = "CODE-0000-SAMPLE"
_PLAIN_CODE = re.compile(r"^[0-9A-Z-]+$")


def _subpath(page, name: str, kwargs: dict) -> str:
    code = kwargs.get("code")
    if code is not None and _PLAIN_CODE.match(code):
        kwargs = {**kwargs, "code": _SAMPLE_CODE}
    key = (type(page), name, tuple(sorted(kwargs.items())))
    path = _SUBPATHS.get(key)
    if path is None:
        if len(_SUBPATHS) >= 4096:
            _SUBPATHS.clear()
        path = _SUBPATHS[key] = page.reverse_subpage(name, kwargs=kwargs)
    if kwargs.get("code") == _SAMPLE_CODE:
        path = path.replace(_SAMPLE_CODE, code)
    return path


def sub_url(page, request: HttpRequest, name: str, *, base: str | None = None, **kwargs) -> str:
    base = base or page.get_url(request=request) or "/"
    return base.rstrip("/") + "/" + _subpath(page, name, kwargs).lstrip("/")


def routed_page_url(page, request: HttpRequest, name: str, **kwargs) -> str:
    """The page's URL read off the request it routed to ``name`` (no site look-up needed)."""
    subpath = _subpath(page, name, kwargs).lstrip("/")
    if subpath and request.path.endswith("/" + subpath):
        return request.path[: len(request.path) - len(subpath)]
    return page.get_url(request=request) or "/"


def consultation_page_url(page, request: HttpRequest, consultation: Consultation) -> str:
    base = page.get_url(request=request) or "/"
    return f"{base.rstrip('/')}/{consultation.slug}/"


def published_consultation_by_slug(slug: str) -> Consultation | None:
    return Consultation.objects.published().filter(slug=slug).first()


def base_context(page, request, consultation: Consultation | None = None) -> dict:
    context = {"page": page, "self": page, "privacy_url": "/privacy/"}
    if consultation is not None:
        if consultation.get_deferred_fields():  # preloaded for the POST path only: read it all
            consultation = published_consultation_by_slug(consultation.slug)
        context["consultation"] = consultation
        context["consultation_url"] = consultation_page_url(page, request, consultation)
    return context
