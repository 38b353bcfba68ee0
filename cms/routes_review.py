"""Public routes of the review pages, mixed into ConsultationIndexPage (views live in feedback)."""

from __future__ import annotations

from django.http import HttpRequest
from wagtail.contrib.routable_page.models import path


class ReviewRoutesMixin:
    """Routes under ``<slug>/``; add them with wagtail.contrib.routable_page.models.path."""

    @path("<slug:slug>/opinions/", name="public_opinions")
    def public_opinions_route(self, request: HttpRequest, slug: str):
        """Opinions shown in public under pseudonyms (404 unless the consultation shows them)."""
        from feedback.review import views as review_views

        return review_views.public_opinions_page(request, page=self, slug=slug)
