"""Public routes of the response pages, mixed into ConsultationIndexPage (views live in feedback)."""

from __future__ import annotations

from django.http import HttpRequest
from wagtail.contrib.routable_page.models import path

RESPONSE_ROUTE_NAMES = ("response_page", "response_pdf")


class ResponseRoutesMixin:
    """``<slug>/response/`` (the published response) and ``<slug>/response/pdf/`` (its PDF).

    Wagtail's page serving only matches paths made of letters, digits, '-' and '_' between slashes, so ``response.pdf`` cannot
    be a sub-page route; the PDF is served at ``response/pdf/`` with a ``.pdf`` file name.
    """

    @classmethod
    def get_subpage_urls(cls):
        routes = super().get_subpage_urls()
        ours = [r for r in routes if r.name in RESPONSE_ROUTE_NAMES]
        return tuple(ours + [r for r in routes if r.name not in RESPONSE_ROUTE_NAMES])

    @path("<slug:slug>/response/", name="response_page")
    def response_page_route(self, request: HttpRequest, slug: str):
        from feedback.response import views

        return views.response_page(request, page=self, slug=slug)

    @path("<slug:slug>/response/pdf/", name="response_pdf")
    def response_pdf_route(self, request: HttpRequest, slug: str):
        from feedback.response import views

        return views.response_pdf(request, page=self, slug=slug)
