"""The help pages of the admin: the list of guides and one guide (issue 15)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from cms.staff_help import guides


def index(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "cms/staff_help/index.html", {"guides": guides.GUIDES})


def guide(request: HttpRequest, slug: str) -> HttpResponse:
    found = guides.BY_SLUG.get(slug)
    if found is None or not (guides.DOCS / found.filename).is_file():
        raise Http404
    context = {
        "guide": found,
        "heading": guides.first_heading(found),
        "body": guides.render(found),
        "guides": guides.GUIDES,
    }
    return TemplateResponse(request, "cms/staff_help/guide.html", context)
