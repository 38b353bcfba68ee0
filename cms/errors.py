"""Error pages that never need the database (issue 13, point 6).

- **Database outage**: any request that fails because PostgreSQL cannot be reached (an
  ``OperationalError`` or ``InterfaceError``, also wrapped in another exception) answers 503
  with ``Retry-After``. For the opinion form and the receipt pages, the page says plainly that
  nothing was stored, shows what the resident wrote, to copy, and has a button that sends the
  same POST again (safe: the opinion's idempotency token stores it once). The middleware
  catches the view's exceptions (also with ``DEBUG`` on); ``server_error`` (``handler500``)
  catches those raised anywhere else on the way.
- ``handler404``, ``handler500``, ``handler400`` and ``CSRF_FAILURE_VIEW``: in the site's
  look, in Chinese or English.

Nothing here reads the database: the language comes from the URL prefix, the language cookie
or Accept-Language (``get_language_from_request``), never the session; the templates extend
``errors/base.html``, which shares the site's CSS but reads no site links, messages, user or
Wagtail settings; they are rendered without context processors, with the CSRF token from
the cookie. ``feedback.intake.outage`` reads back what was sent from the POST alone.
"""

from __future__ import annotations

import logging
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE, CsrfViewMiddleware, get_token
from django.template import loader
from django.urls import NoReverseMatch, get_urlconf, set_urlconf
from django.utils import translation

from cms.preferences import read_preferences
from feedback.intake import outage
from feedback.web import no_store

logger = logging.getLogger("tingjian.errors")

# Seconds a resident (and a client) is asked to wait before trying again during an outage.
RETRY_AFTER_SECONDS = 120
# The site's own URLs, for error pages rendered under another URL configuration.
SITE_URLCONF = "cms.config.urls"
# Set by the opinion view just before the INSERT: after that point a failure cannot say for
# certain that nothing was stored (the commit may have happened), only that a re-send is safe.
INSERT_STARTED = "_opinion_insert_started"


def database_unavailable(exc: BaseException | None) -> bool:
    """True when ``exc`` (or an exception it was raised from) means the database could not
    be used: connection refused or lost, server shutting down, statement cancelled."""
    for _hop in range(8):
        if exc is None:
            return False
        if isinstance(exc, (OperationalError, InterfaceError)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def request_language(request: HttpRequest) -> str:
    """The request's language without the session or database: URL prefix, cookie,
    Accept-Language, else the default (Chinese)."""
    try:
        language = translation.get_language_from_request(request, check_path=True)
    except Exception:  # noqa: BLE001 - an error page must render whatever the request
        language = settings.LANGUAGE_CODE
    return "en" if language.startswith("en") else settings.LANGUAGE_CODE


def render_error(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    """Render an error page from the request alone: no context processors, no database."""
    language = request_language(request)
    with translation.override(language):
        context.update(
            request=request,
            csrf_token=get_token(request),
            prefs=read_preferences(request),
            status=status,
        )
        try:
            html = loader.get_template(template).render(context)
        except NoReverseMatch:
            # Rendered under another URL configuration (a test's, a bench's): the page's links
            # are the site's own, so name them from the site's configuration.
            previous = get_urlconf()
            set_urlconf(SITE_URLCONF)
            try:
                html = loader.get_template(template).render(context)
            finally:
                set_urlconf(previous)
    response = HttpResponse(html, status=status)
    response["Content-Language"] = language
    response["X-Robots-Tag"] = "noindex"
    return no_store(response)


def _kind(request: HttpRequest) -> str:
    if outage.is_opinion_post(request):
        return "opinion"
    if outage.is_receipt_post(request):
        return "receipt"
    return "post" if request.method == "POST" else "read"


def _sent(request: HttpRequest, kind: str) -> dict:
    """What the page shows of the request and how it sends it again (public forms only)."""
    if kind not in ("opinion", "receipt"):
        return {"fields": [], "resend": []}
    with translation.override(request_language(request)):
        fields = outage.sent_fields(request)
        text = outage.sent_text(fields)
    return {
        "fields": fields,
        "sent_text": text,
        "sent_rows": min(20, max(4, text.count("\n") + 2)),
        "resend": outage.resend_items(request),
        "action": request.get_full_path(),
        "lookup_url": outage.receipt_base(request.path),
    }


def outage_response(request: HttpRequest) -> HttpResponse:
    """503: the database cannot be reached. Nothing was stored (or, once the INSERT had
    started, it cannot be confirmed: the page says so and a re-send is safe)."""
    kind = _kind(request)
    response = render_error(
        request,
        "errors/503.html",
        503,
        kind=kind,
        uncertain=bool(getattr(request, INSERT_STARTED, False)),
        retry_minutes=max(1, RETRY_AFTER_SECONDS // 60),
        **_sent(request, kind),
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseOutageMiddleware:
    """Turns a view's database-unavailable error into the 503 page (with DEBUG too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not database_unavailable(exception):
            return None
        logger.error("Database unavailable (%s): %s", type(exception).__name__, exception)
        return outage_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the outage page when the database is the cause, else a 500 page that,
    for a public form, also shows what was sent and offers to send it again."""
    if database_unavailable(sys.exc_info()[1]):
        return outage_response(request)
    kind = _kind(request)
    return render_error(
        request,
        "errors/500.html",
        500,
        kind=kind,
        uncertain=bool(getattr(request, INSERT_STARTED, False)),
        **_sent(request, kind),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``. Under a receipt path, the link is not valid: the look-up form is the
    way to a receipt (codes are never in a URL)."""
    return render_error(
        request, "errors/404.html", 404, lookup_url=outage.receipt_base(request.path)
    )


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``; a request larger than the upload limit says which limit (413)."""
    if isinstance(exception, RequestDataTooBig):
        limit = getattr(exception, "limit", None)
        size = getattr(exception, "size", None)
        return render_error(request, "errors/413.html", 413, limit=limit, size=size)
    return render_error(request, "errors/400.html", 400)


def _same_origin(request: HttpRequest) -> bool:
    """Was the refused POST sent from this site's own page? A form on another site must not
    be able to make this site show its text as the resident's."""
    if request.META.get("HTTP_ORIGIN"):
        try:
            return CsrfViewMiddleware(lambda r: None)._origin_verified(request)
        except Exception:  # noqa: BLE001 - a malformed Origin is not ours
            return False
    referer = request.META.get("HTTP_REFERER")
    if referer:
        try:
            return urlsplit(referer).netloc == request.get_host()
        except Exception:  # noqa: BLE001 - e.g. DisallowedHost
            return False
    return True


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: what happened, that nothing was stored, the way back; for the
    opinion form sent from this site, the text and a button that sends it again (this page
    carries a fresh security token)."""
    kind = _kind(request)
    sent = _sent(request, kind) if _same_origin(request) else _sent(request, "read")
    return render_error(
        request,
        "errors/csrf.html",
        403,
        kind=kind,
        no_cookie=reason == REASON_NO_CSRF_COOKIE,
        back_url=request.path,
        **sent,
    )
