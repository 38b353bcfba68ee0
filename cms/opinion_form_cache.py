"""The empty opinion form page, rendered once per consultation version (ADR 0008)."""

from __future__ import annotations

import uuid

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.translation import get_language

from cms import slots
from cms.page_cache import ConsultationStamp
from cms.preferences import read_preferences
from feedback.web import no_store

FORM_TEMPLATE = "feedback/intake/opinion_form.html"
FORM_PAGES_MAX = 32  # per consultation version: languages x text sizes x contrasts, with room


def _form_pieces(stamp: ConsultationStamp, consultation_url: str, prefs: dict, links: dict, page):
    """The empty form page of ``stamp``'s consultation rendered with markers for the CSRF
    token, the path and the idempotency token, split into literal text and slot names; None
    when the consultation is no longer published."""
    from feedback.intake import views
    from feedback.web import published_consultation_by_slug

    consultation = published_consultation_by_slug(stamp.slug)
    if consultation is None or consultation.pk != stamp.pk:
        return None
    context = views.new_form_context(
        page, consultation, consultation_url, token=slots.SLOTS["token"]
    )
    context.update(
        csrf_token=slots.SLOTS["csrf"],
        request=slots.PathOnly(),
        prefs=prefs,
        site_links=links,
        messages=(),
    )
    html = render_to_string(FORM_TEMPLATE, context)
    return [slots.SLOT_NAMES.get(piece, piece) for piece in slots.SLOT_RE.split(html)]


def cached_form_response(request, index_slug: str, row, stamp, consultation, page):
    """The empty opinion form of an open consultation, from the page rendered once for this
    version of the consultation, language, preferences and header links; a fresh CSRF token,
    idempotency token and path per request. None when the page must be rendered in full
    (messages waiting, no CSRF middleware, not published any more)."""
    from django.contrib.messages import get_messages
    from django.middleware.csrf import get_token

    from cms.context_processors import site_links_from_rows
    from cms.models import ConsultationIndexPage
    from feedback.intake import views

    pending = get_messages(request)
    token = get_token(request)
    if (pending is not None and len(pending)) or token is None:
        return None
    if "clause" in request.GET:  # ?clause=N opens that clause's box: rendered in full
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
    return no_store(response)
