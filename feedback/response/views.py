"""Public response page and its PDF, served through the consultation index page.

``cms/routes_response.py`` maps ``<slug>/response/`` and ``<slug>/response.pdf`` here.
Both answer 404 until the response is published.
"""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import translation

from feedback.response.report import DISPOSITION_HELP, build_report
from feedback.response.selectors import published_response
from feedback.web import base_context, published_consultation_by_slug

PDF_CACHE_SECONDS = 30 * 24 * 3600


def _published(slug: str):
    consultation = published_consultation_by_slug(slug)
    if consultation is None:
        raise Http404
    response = published_response(consultation)
    if response is None:
        raise Http404
    response.consultation = consultation
    return consultation, response


def report_context(consultation, response) -> dict:
    report = build_report(response)
    return {
        "consultation": consultation,
        "opinion_response": response,
        "report": report,
        "counts": report.counts,
        "disposition_help": {str(k): v for k, v in DISPOSITION_HELP.items()},
    }


def response_page(request: HttpRequest, *, page, slug: str) -> HttpResponse:
    consultation, response = _published(slug)
    context = base_context(page, request, consultation)
    context.update(report_context(consultation, response))
    context["pdf_url"] = context["consultation_url"] + "response/pdf/"
    return TemplateResponse(request, "feedback/response/public.html", context)


def pdf_cache_key(response, language: str) -> str:
    # v3: tagged PDF/UA with quotes (issue 15); v2: the suppression of issue 12.
    return (
        f"response-pdf-v3:{response.consultation_id}:{response.published_at.timestamp()}:{language}"
    )


# A tagged PDF (issue 15): PDF/UA-1 gives the document its structure tree (headings, lists,
# tables, paragraphs), its language and title, so that a screen reader reads it as the page.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


def render_document(consultation, response):
    """The response document laid out by WeasyPrint (Noto CJK fonts, print stylesheet)."""
    from weasyprint import CSS, HTML

    html = render_to_string("feedback/response/print.html", report_context(consultation, response))
    stylesheets = []
    css_path = finders.find("feedback/response-print.css")
    if css_path:
        stylesheets.append(CSS(filename=css_path))
    return HTML(string=html).render(stylesheets=stylesheets, **PDF_OPTIONS)


def render_pdf(consultation, response, **options) -> bytes:
    """The response document as PDF bytes, tagged (PDF/UA-1); ``options`` are WeasyPrint's
    (tests read ``uncompressed_pdf=True``)."""
    return render_document(consultation, response).write_pdf(**PDF_OPTIONS, **options)


def cache_pdfs(consultation, response) -> list[str]:
    """Render the PDF in every site language and cache it, so that no resident waits for the
    rendering (run by a task at publication; the view renders on a cache miss)."""
    from django.conf import settings

    done = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            cache.set(
                pdf_cache_key(response, code), render_pdf(consultation, response), PDF_CACHE_SECONDS
            )
        done.append(code)
    return done


def response_pdf(request: HttpRequest, *, page, slug: str) -> HttpResponse:
    consultation, response = _published(slug)
    key = pdf_cache_key(response, translation.get_language() or "zh-hans")
    data = cache.get(key)
    if data is None:
        data = render_pdf(consultation, response)
        cache.set(key, data, PDF_CACHE_SECONDS)
    http = HttpResponse(data, content_type="application/pdf")
    http["Content-Disposition"] = f'inline; filename="response-{consultation.slug}.pdf"'
    return http
