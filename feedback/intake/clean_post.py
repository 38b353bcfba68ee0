"""Every form POST, public or staff, cleaned before a view sees it (issue 14, point 4).

``CleanPostMiddleware`` (in ``settings.MIDDLEWARE`` after ``CsrfViewMiddleware``, which has
read the form by then) does two things to the submitted form fields, so that every view and
every form of the site, the Wagtail admin's included, stores the same kind of text:

- **Invalid UTF-8 is refused**: a 400 page in the reader's language ("the site could not read
  what your browser sent; nothing was stored"), before any view runs, so nothing is stored.
  Django itself would quietly turn broken bytes into U+FFFD. For a URL-encoded form the raw
  bytes are decoded strictly when Django's parse (which replaces broken bytes) shows a U+FFFD;
  for a multipart form (whose raw body Django does not keep) a
  U+FFFD in a field's value is taken as the mark of broken bytes.
- **Text is cleaned** (``feedback.analysis.text.clean_input``): control characters other than
  tab and newline removed, line breaks as ``\\n``, NFC. Uploaded files are not touched.

A multipart POST to a ``csrf_exempt`` view that no middleware has read (an upload view that
sets its own upload handlers first, ``feedback.intake.offline_views.intake_import``) is left to
the view, which cleans its rows field by field (``feedback.intake.forms.PlainTextField``). Text
with no visible character is refused by the forms that take free text, with their own message.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, QueryDict

from feedback.analysis.text import clean_input

REPLACEMENT = "\ufffd"


class InvalidEncoding(BadRequest):
    """The form's bytes are not valid text in its encoding."""


def _strict_urlencoded(body: bytes, encoding: str) -> None:
    # One pass over the whole body: "&" and "=" stay literal bytes after unquoting, so a
    # character cannot be completed across two fields, and the body decodes strictly exactly
    # when every name and value does (a third of the cost of unquoting field by field).
    try:
        unquote_to_bytes(body).decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InvalidEncoding("The form is not valid UTF-8.") from exc


def _has_replacement(post: QueryDict) -> bool:
    return any(REPLACEMENT in text for key, values in post.lists() for text in (key, *values))


def _cleaned(post: QueryDict, encoding: str) -> QueryDict:
    cleaned = QueryDict(mutable=True, encoding=encoding)
    for key, values in post.lists():
        cleaned.setlist(clean_input(key), [clean_input(v) for v in values])
    cleaned._mutable = False
    return cleaned


def _needs_cleaning(post: QueryDict) -> bool:
    for key, values in post.lists():
        for text in (key, *values):
            if not text.isascii() or not text.isprintable():
                return True
    return False


class CleanPostMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if request.method != "POST":
            return None
        content_type = request.content_type or ""
        parsed = "_post" in request.__dict__
        if content_type == "application/x-www-form-urlencoded":
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if not parsed and limit is not None and length > limit:
                return None  # the view answers "too large" in its own words
            encoding = request.encoding or settings.DEFAULT_CHARSET
            # Django parsed the form with errors="replace": broken bytes became U+FFFD. Only a
            # form that holds one is decoded again, strictly (a typed U+FFFD is valid text).
            if _has_replacement(request.POST):
                _strict_urlencoded(request.body, encoding)
        elif content_type == "multipart/form-data" and (
            parsed or not getattr(view_func, "csrf_exempt", False)
        ):
            # CSRF reads every such form of a view that is not exempt; reading it here first
            # changes nothing. An exempt view (an upload) sets its own upload handlers first.
            encoding = request.encoding or settings.DEFAULT_CHARSET
            if _has_replacement(request.POST):
                raise InvalidEncoding("A field of the form is not valid UTF-8.")
        else:
            return None
        if _needs_cleaning(request.POST):
            request._post = _cleaned(request.POST, encoding)
        return None
