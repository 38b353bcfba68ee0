"""Helpers for admin tests: a frozen clock, consultations in each lifecycle state, admin URLs,
and POST data built from the editor's own form so tests submit what a browser would."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.urls import reverse
from django.utils import timezone

from consultations.tests.factories import (
    ConsultationFactory,
    UserFactory,
    make_openable,
    published_consultation,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)

STATES = ("draft", "upcoming", "open", "closed")


def make_consultation(state: str, department, **kwargs):
    """A consultation of ``department`` that is in ``state`` at NOW (the frozen clock)."""
    if state == "draft":
        consultation = ConsultationFactory(department=department, **kwargs)
        make_openable(consultation, opens_at=NOW + timedelta(days=1))
        return consultation
    if state == "upcoming":
        return published_consultation(
            department=department, opens_at=NOW + timedelta(days=3), **kwargs
        )
    if state == "open":
        return published_consultation(
            department=department, opens_at=NOW - timedelta(days=2), **kwargs
        )
    if state == "closed":
        past = NOW - timedelta(days=80)
        with time_machine.travel(past, tick=False):
            return published_consultation(department=department, opens_at=past, **kwargs)
    raise ValueError(state)


def make_user(role: str | None, department):
    """A staff user in ``role`` (None: staff without any role) belonging to ``department``."""
    if role is None:
        return UserFactory(is_staff=True, department=department)
    return UserFactory.with_role(role, department=department)


def list_url() -> str:
    return reverse("wagtailsnippets_consultations_consultation:list")


def edit_url(consultation) -> str:
    return reverse("wagtailsnippets_consultations_consultation:edit", args=[consultation.pk])


def add_url() -> str:
    return reverse("wagtailsnippets_consultations_consultation:add")


def extend_url(consultation) -> str:
    return reverse("consultations_admin:extend", args=[consultation.pk])


def _serialise(bound_field):
    value = bound_field.value()
    if value is None:
        return None
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value, SHANGHAI)
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (list, tuple)):
        return [str(getattr(v, "pk", v)) for v in value]
    return str(getattr(value, "pk", value))


def _add_fields(data: dict, form) -> None:
    for bound_field in form:
        value = _serialise(bound_field)
        if value is not None:
            data[bound_field.html_name] = value


def form_post_data(form, **overrides) -> dict:
    """POST data reproducing ``form`` (an unbound admin form) with ``overrides`` applied."""
    data: dict = {}
    _add_fields(data, form)
    for formset in form.formsets.values():
        _add_fields(data, formset.management_form)
        for child in formset.forms:
            _add_fields(data, child)
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_form_data(client, consultation, **overrides) -> dict:
    """Load the edit view as the logged-in user and return its form as POST data."""
    response = client.get(edit_url(consultation))
    assert response.status_code == 200, response
    return form_post_data(response.context["form"], **overrides)
