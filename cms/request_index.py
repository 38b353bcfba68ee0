"""The consultation index page remembered on a request, so its links need no look-up."""

from __future__ import annotations

from django.http import HttpRequest

_REQUEST_ATTR = "_tingjian_consultation_index"
MISSING = object()


def remember_consultation_index(request: HttpRequest, index) -> None:
    """Routes of the index page call this so links on the page need no lookup."""
    setattr(request, _REQUEST_ATTR, index)


def remembered_consultation_index(request: HttpRequest):
    """The index page remembered on ``request`` (None: the site has none), else ``MISSING``."""
    return getattr(request, _REQUEST_ATTR, MISSING)
