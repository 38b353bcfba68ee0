"""Public hearing pages, served through the consultation index page (``cms/routes_hearings.py``):
the notice and its outcome, registration (no account), the draw and how to check it, and the
majority count's token form. Everything works with plain POST and no JavaScript."""

from __future__ import annotations

import json
import uuid

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from feedback.hearings import draw as draw_mod
from feedback.hearings import majority, rules, selectors
from feedback.hearings.forms import ObjectionForm, RegistrationForm
from feedback.hearings.services import (
    RegistrationClosed,
    RegistrationData,
    format_number,
    registration_create,
    registration_open,
)
from feedback.intake import ratelimit
from feedback.models import HearingRegistration
from feedback.web import base_context, never_cache, published_consultation_by_slug


def _consultation(slug: str):
    consultation = published_consultation_by_slug(slug)
    if consultation is None:
        raise Http404
    return consultation


def _hearing(slug: str):
    consultation = _consultation(slug)
    hearing = selectors.published_hearing(consultation)
    if hearing is None:
        raise Http404
    return consultation, hearing


def _context(page, request, consultation, hearing, **extra) -> dict:
    context = base_context(page, request, consultation)
    base = context["consultation_url"]
    days, source = selectors.notice_rule(hearing) if hearing else (None, "")
    context.update(
        hearing=hearing,
        hearing_url=base + "hearing/",
        register_url=base + "hearing/register/",
        draw_url=base + "hearing/draw/",
        draw_data_url=base + "hearing/draw/data/",
        objection_url=base + "hearing/objection/",
        notice_days=days,
        notice_source=source,
        **extra,
    )
    return context


@never_cache
def hearing_page(request: HttpRequest, *, page, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    hearing = selectors.published_hearing(consultation)
    count = selectors.majority_count_of(consultation)
    if hearing is None and count is None:
        raise Http404
    now = timezone.now()
    context = _context(
        page,
        request,
        consultation,
        hearing,
        majority=count,
        majority_source=rules.MAJORITY_SOURCES.get(getattr(count, "basis", ""), ""),
    )
    if hearing is not None:
        context.update(
            status=selectors.status(hearing, now),
            registration_open=registration_open(hearing, now),
            categories=list(hearing.categories.all()),
            participants=selectors.public_participants(hearing),
            record=list(hearing.record_items.select_related("speaker")) if hearing.held_at else [],
            views=list(hearing.views.all()) if hearing.report_published_at else [],
            statements=selectors.hearing_statement_count(consultation),
        )
    return TemplateResponse(request, "feedback/hearings/public.html", context)


@never_cache
def hearing_register(request: HttpRequest, *, page, slug: str) -> HttpResponse:
    consultation, hearing = _hearing(slug)
    now = timezone.now()
    is_open = registration_open(hearing, now)
    if request.method != "POST":
        form = RegistrationForm(hearing=hearing, initial={"token": uuid.uuid4()})
        return _form(request, page, consultation, hearing, form, is_open=is_open)
    limited = ratelimit.hit_chain(
        [
            (
                "hearing-reg",
                f"{hearing.pk}:{ratelimit.hashed_network(request)}",
                "RATELIMIT_SUBMIT_PER_ADDRESS",
            )
        ]
    )
    if limited:
        context = base_context(page, request, consultation)
        context.update(
            retry_after=limited.retry_after, retry_minutes=max(1, (limited.retry_after + 59) // 60)
        )
        response = TemplateResponse(
            request, "feedback/intake/rate_limited.html", context, status=429
        )
        response["Retry-After"] = str(limited.retry_after)
        return response
    form = RegistrationForm(request.POST, hearing=hearing)
    if not form.is_valid():
        return _form(request, page, consultation, hearing, form, is_open=is_open, status=400)
    data = RegistrationData(
        name=form.cleaned_data["name"],
        category=form.category_obj(),
        statement=form.cleaned_data["statement"],
        contact_email=form.cleaned_data.get("contact_email") or "",
        contact_phone=form.cleaned_data.get("contact_phone") or "",
    )
    try:
        registration, created = registration_create(
            hearing=hearing, data=data, token=form.cleaned_data["token"], now=now
        )
    except RegistrationClosed:
        return _form(request, page, consultation, hearing, form, is_open=False, status=403)
    return _receipt(request, page, consultation, hearing, registration, created)


def _form(request, page, consultation, hearing, form, *, is_open: bool, status: int = 200):
    context = _context(page, request, consultation, hearing, form=form, is_open=is_open)
    if not is_open and request.method == "POST":
        context["refused"] = True
        status = 403
    return TemplateResponse(request, "feedback/hearings/register.html", context, status=status)


def _receipt(request, page, consultation, hearing, registration: HearingRegistration, created):
    context = _context(
        page,
        request,
        consultation,
        hearing,
        registration=registration,
        number=format_number(registration.number),
        created=created,
    )
    return TemplateResponse(request, "feedback/hearings/registered.html", context)


@never_cache
def hearing_draw(request: HttpRequest, *, page, slug: str) -> HttpResponse:
    consultation, hearing = _hearing(slug)
    record = selectors.draw_record(hearing)
    context = _context(
        page,
        request,
        consultation,
        hearing,
        record=record,
        record_json=json.dumps(record, ensure_ascii=False, indent=1),
        problems=draw_mod.verify(record) if record["seed"] else None,
        algorithm_doc=draw_mod.__doc__,
        categories=list(hearing.categories.all()),
    )
    return TemplateResponse(request, "feedback/hearings/draw.html", context)


def hearing_draw_data(request: HttpRequest, *, page, slug: str) -> HttpResponse:
    _consultation_obj, hearing = _hearing(slug)
    response = JsonResponse(
        selectors.draw_record(hearing), json_dumps_params={"ensure_ascii": False, "indent": 1}
    )
    response["Content-Disposition"] = f'inline; filename="hearing-draw-{slug}.json"'
    return response


@never_cache
def hearing_objection(request: HttpRequest, *, page, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    count = selectors.majority_count_of(consultation)
    if count is None:
        raise Http404
    now = timezone.now()
    context = _context(page, request, consultation, None, majority=count)
    context["count_open"] = majority.count_open(count, now)
    if request.method != "POST":
        context["form"] = ObjectionForm()
        return TemplateResponse(request, "feedback/hearings/objection.html", context)
    limited = ratelimit.hit_chain(
        [("majority", ratelimit.hashed_network(request), "RATELIMIT_RECEIPT_PER_ADDRESS")]
    )
    if limited:
        response = TemplateResponse(
            request,
            "feedback/intake/rate_limited.html",
            {**context, "retry_minutes": max(1, (limited.retry_after + 59) // 60)},
            status=429,
        )
        response["Retry-After"] = str(limited.retry_after)
        return response
    form = ObjectionForm(request.POST)
    context["form"] = form
    if not form.is_valid():
        return TemplateResponse(request, "feedback/hearings/objection.html", context, status=400)
    if not majority.objection_record(count=count, token=form.cleaned_data["token"], now=now):
        context["token_refused"] = True
        return TemplateResponse(request, "feedback/hearings/objection.html", context, status=400)
    context["counted"] = True
    context["form"] = None
    return TemplateResponse(request, "feedback/hearings/objection.html", context)
