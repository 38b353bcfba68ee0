"""Finding public URLs of consultations without a Page per consultation."""

from __future__ import annotations

from django.http import HttpRequest

from cms.request_index import (
    MISSING,
    remember_consultation_index,
    remembered_consultation_index,
)


def consultation_index(request: HttpRequest | None = None):
    """The site's one ConsultationIndexPage, looked up once per request."""
    from cms.models import ConsultationIndexPage

    if request is not None:
        cached = remembered_consultation_index(request)
        if cached is not MISSING:
            return cached
    index = ConsultationIndexPage.objects.live().first()
    if request is not None:
        remember_consultation_index(request, index)
    return index


def consultation_url(consultation, request: HttpRequest | None = None) -> str:
    """The public detail URL of ``consultation``; empty when the site has no index page."""
    index = consultation_index(request)
    if index is None:
        return ""
    return index.consultation_url(consultation, request=request)
