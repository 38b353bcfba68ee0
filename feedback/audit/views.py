"""The public page of the audit checkpoints (/audit/checkpoints/, .json, .txt).

Only what a checkpoint holds: day, time, number of entries, the latest entry's signature, the
key's id, the previous checkpoint's signature and the checkpoint's signature; never an entry.
Cheap to serve: one small query for Last-Modified (a repeat visit gets 304) and one for the
list; scripts' formats may be cached by proxies for ten minutes.
"""

from __future__ import annotations

import json

from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from feedback.audit.chain import ALGORITHM
from feedback.audit.checkpoints import TEXT_COLUMNS, point_of
from feedback.models import AuditCheckpoint

PAGE_ROWS = 90  # the web page shows the latest 90 days; the JSON and text have every day


def _last_modified(request, *args, **kwargs):
    return AuditCheckpoint.objects.aggregate(latest=Max("at"))["latest"]


def _points(limit: int | None = None):
    rows = AuditCheckpoint.objects.order_by("-day")
    return [point_of(c) for c in (rows[:limit] if limit else rows)]


@require_safe
@cache_control(max_age=300)
@condition(last_modified_func=_last_modified)
def checkpoints_page(request: HttpRequest) -> HttpResponse:
    points = _points(PAGE_ROWS + 1)
    return render(
        request,
        "feedback/audit/checkpoints.html",
        {
            "points": points[:PAGE_ROWS],
            "more": len(points) > PAGE_ROWS,
            "algorithm": ALGORITHM,
        },
    )


@require_safe
@cache_control(public=True, max_age=600)
@condition(last_modified_func=_last_modified)
def checkpoints_json(request: HttpRequest) -> HttpResponse:
    data = {
        "algorithm": ALGORITHM,
        "checkpoints": [p.public() for p in reversed(_points())],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json"
    )


@require_safe
@cache_control(public=True, max_age=600)
@condition(last_modified_func=_last_modified)
def checkpoints_text(request: HttpRequest) -> HttpResponse:
    lines = [
        "# Tingjian audit trail checkpoints, oldest first; signatures are " + ALGORITHM + ".",
        "# Keep a copy; check with: manage.py audit_verify --checkpoints-from <this file>",
        "# " + " ".join(TEXT_COLUMNS),
    ]
    lines += [p.text() for p in reversed(_points())]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
