"""Finding public URLs of consultations without a Page per consultation."""

from __future__ import annotations

from django.http import HttpRequest

_REQUEST_ATTR = "_tingjian_consultation_index"
_MISSING = object()


def consultation_index(request: HttpRequest | None = None):
    """The site's one ConsultationIndexPage, looked up once per request."""
    from cms.models import ConsultationIndexPage

    if request is not None:
        cached = getattr(request, _REQUEST_ATTR, _MISSING)
        if cached is not _MISSING:
            return cached
    index = ConsultationIndexPage.objects.live().first()
    if request is not None:
        setattr(request, _REQUEST_ATTR, index)
    return index


def remember_consultation_index(request: HttpRequest, index) -> None:
    """Routes of the index page call this so links on the page need no lookup."""
    setattr(request, _REQUEST_ATTR, index)


def consultation_url(consultation, request: HttpRequest | None = None) -> str:
    """The public detail URL of ``consultation``; empty when the site has no index page."""
    index = consultation_index(request)
    if index is None:
        return ""
    return index.consultation_url(consultation, request=request)
