"""The baseline for bench/pages.py: the cheapest page Django can serve with one query.

Routed only when ``settings.BENCH_VIEWS`` is on. It runs through the same middleware,
the same gunicorn workers and the same database as the consultation page, so the ratio of
their throughputs measures what our own page costs, not the machine.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse


def one_query(request: HttpRequest) -> HttpResponse:
    label = ContentType.objects.order_by("pk").values_list("app_label", flat=True)[:1]
    return HttpResponse(f"ok {next(iter(label), '')}", content_type="text/plain")
