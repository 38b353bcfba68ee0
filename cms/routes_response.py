"""Public routes of the response pages, mixed into ConsultationIndexPage (views live in feedback)."""

from __future__ import annotations


class ResponseRoutesMixin:
    """Routes under ``<slug>/``; add them with wagtail.contrib.routable_page.models.path."""
