"""Baselines for the benchmarks: the cheapest requests Django can serve with one statement.

Routed only when ``settings.BENCH_VIEWS`` is on. They run through the same middleware, the same
gunicorn workers and the same database as the real pages, so the ratio of the throughputs
measures what our own code costs, not the machine.

- ``one_query`` (bench/pages.py): one SELECT of one row.
- ``one_insert`` (bench/intake.py): GET gives a CSRF token and a form token; POST stores one
  row like an opinion with one INSERT and redirects to a receipt URL, like the opinion form.
  It is *not* CSRF-exempt: the POST passes the same CSRF check as the real form.
"""

from __future__ import annotations

import uuid

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.middleware.csrf import get_token
from django.utils import timezone

from feedback.models.receipts import new_receipt

BENCH_TABLE = "bench_opinion"
CREATE_BENCH_TABLE = f"""
CREATE TABLE IF NOT EXISTS {BENCH_TABLE} (
    id bigserial PRIMARY KEY,
    consultation_id bigint NOT NULL,
    channel varchar(20) NOT NULL,
    stance varchar(20) NOT NULL,
    affected_status varchar(20) NOT NULL,
    comment text NOT NULL,
    quote_consent boolean NOT NULL,
    receipt varchar(16) NOT NULL UNIQUE,
    received_at timestamptz NOT NULL,
    idempotency_token uuid NOT NULL UNIQUE
)
"""
# One statement: a retry with the same token inserts nothing and returns no row.
INSERT_ROW = """
INSERT INTO bench_opinion (consultation_id, channel, stance, affected_status, comment,
    quote_consent, receipt, received_at, idempotency_token)
VALUES (%s, 'web', %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (idempotency_token) DO NOTHING
RETURNING id
"""

_table_ready = False


def ensure_bench_table() -> None:
    """Create the baseline's table once per process (the benchmark also creates it first)."""
    global _table_ready  # noqa: PLW0603 - a once-per-process flag
    if not _table_ready:
        with connection.cursor() as cursor:
            cursor.execute(CREATE_BENCH_TABLE)
        _table_ready = True


def one_query(request: HttpRequest) -> HttpResponse:
    label = ContentType.objects.order_by("pk").values_list("app_label", flat=True)[:1]
    return HttpResponse(f"ok {next(iter(label), '')}", content_type="text/plain")


def one_insert(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        # No query: the CSRF cookie and a fresh form token, as the opinion form carries them.
        body = f"csrfmiddlewaretoken={get_token(request)}\ntoken={uuid.uuid4()}\n"
        return HttpResponse(body, content_type="text/plain")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        token = uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        return HttpResponseBadRequest("token")
    ensure_bench_table()
    post = request.POST
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT_ROW,
            [
                int(post.get("consultation") or 0),
                post.get("stance", "")[:20],
                post.get("affected_status", "")[:20],
                post.get("comment", ""),
                bool(post.get("quote_consent")),
                new_receipt(),
                timezone.now(),
                token,
            ],
        )
        row = cursor.fetchone()
        flag = "sent"
        if row is None:  # the same form sent again: its first receipt
            cursor.execute(
                f"SELECT id FROM {BENCH_TABLE} WHERE idempotency_token = %s",  # noqa: S608
                [token],
            )
            row, flag = cursor.fetchone(), "again"
    # Like the opinion form: a code-free receipt address and a signed cookie naming the row.
    response = HttpResponseRedirect(f"/bench/one-insert/receipt/?{flag}=1")
    response.set_signed_cookie(
        "tj_receipt", str(row[0]), salt="bench.one_insert", httponly=True, samesite="Lax"
    )
    return response
