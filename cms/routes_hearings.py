"""Public routes of the hearing pages, mixed into ConsultationIndexPage (views live in feedback)."""

from __future__ import annotations

from django.http import HttpRequest
from wagtail.contrib.routable_page.models import path

HEARING_ROUTE_NAMES = (
    "hearing_page",
    "hearing_register",
    "hearing_draw",
    "hearing_draw_data",
    "hearing_objection",
)


class HearingRoutesMixin:
    """``<slug>/hearing/`` (notice, participants, record, report, majority count),
    ``hearing/register/``, ``hearing/draw/`` and its ``data/`` (JSON), ``hearing/objection/``."""

    @classmethod
    def get_subpage_urls(cls):
        routes = super().get_subpage_urls()
        ours = [r for r in routes if r.name in HEARING_ROUTE_NAMES]
        return tuple(ours + [r for r in routes if r.name not in HEARING_ROUTE_NAMES])

    @path("<slug:slug>/hearing/", name="hearing_page")
    def hearing_page_route(self, request: HttpRequest, slug: str):
        from feedback.hearings import views

        return views.hearing_page(request, page=self, slug=slug)

    @path("<slug:slug>/hearing/register/", name="hearing_register")
    def hearing_register_route(self, request: HttpRequest, slug: str):
        from feedback.hearings import views

        return views.hearing_register(request, page=self, slug=slug)

    @path("<slug:slug>/hearing/draw/", name="hearing_draw")
    def hearing_draw_route(self, request: HttpRequest, slug: str):
        from feedback.hearings import views

        return views.hearing_draw(request, page=self, slug=slug)

    @path("<slug:slug>/hearing/draw/data/", name="hearing_draw_data")
    def hearing_draw_data_route(self, request: HttpRequest, slug: str):
        from feedback.hearings import views

        return views.hearing_draw_data(request, page=self, slug=slug)

    @path("<slug:slug>/hearing/objection/", name="hearing_objection")
    def hearing_objection_route(self, request: HttpRequest, slug: str):
        from feedback.hearings import views

        return views.hearing_objection(request, page=self, slug=slug)
