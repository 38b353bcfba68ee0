"""Public routes of the review pages, mixed into ConsultationIndexPage (views live in feedback)."""

from __future__ import annotations


class ReviewRoutesMixin:
    """Routes under ``<slug>/``; add them with wagtail.contrib.routable_page.models.path."""
