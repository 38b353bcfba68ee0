from django.contrib import messages
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from cms.preferences import CONTRAST_COOKIE, CONTRASTS, FONT_COOKIE, FONT_SIZES, cookie_secure

ONE_YEAR = 365 * 24 * 3600
LANGUAGE_SWITCHED_TAG = "language-switched"


@require_POST
def preferences_update(request: HttpRequest) -> HttpResponse:
    """Store font size and contrast server-side (cookies) so they work without JavaScript."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    font = request.POST.get("font_size")
    contrast = request.POST.get("contrast")
    # Secure (HTTPS only) wherever the session cookie is: in production.
    flags = {"max_age": ONE_YEAR, "samesite": "Lax", "httponly": True, "secure": cookie_secure()}
    if font in FONT_SIZES:
        response.set_cookie(FONT_COOKIE, font, **flags)
    if contrast in CONTRASTS:
        response.set_cookie(CONTRAST_COOKIE, contrast, **flags)
    return response


@require_POST
def set_language_announced(request: HttpRequest) -> HttpResponse:
    """Django's set_language, plus a one-time status message in the new language.

    Screen-reader users hear that the language changed (the message sits in a polite live
    region) without any JavaScript; the messages framework shows it exactly once.
    """
    response = set_language(request)
    language = request.POST.get("language", "")
    if response.status_code == 302 and translation.check_for_language(language):
        with translation.override(language):
            messages.info(request, gettext("Switched to English"), extra_tags=LANGUAGE_SWITCHED_TAG)
    return response


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico`` (asked for by browsers and feed readers that ignore ``<link rel=icon>``):
    a permanent redirect to our own icon among the static files, never a 404."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("cms/favicon.svg"))
