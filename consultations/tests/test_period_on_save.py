"""R10/R11: a period that breaks a floor cannot even be saved, in the editor or in code."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from consultations.models import Consultation, Kind
from consultations.roles import Role
from consultations.tests.admin_support import (
    NOW,
    SHANGHAI,
    add_url,
    edit_form_data,
    edit_url,
    form_post_data,
    make_consultation,
    make_user,
)
from consultations.tests.factories import DepartmentFactory, local_midnight_after

pytestmark = pytest.mark.django_db

OPENS = NOW + timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def editor_client(department):
    client = Client()
    client.force_login(make_user(Role.EDITOR, department))
    return client


def _local(value) -> str:
    return timezone.localtime(value, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _closes_after(days: int) -> str:
    return _local(local_midnight_after(OPENS, days))


def test_editor_cannot_save_a_short_land_compensation_plan_even_with_a_reason(
    editor_client, department
):
    consultation = make_consultation("draft", department, kind=Kind.LAND_COMPENSATION)
    before = (consultation.closes_at, consultation.latest_revision_id)
    data = edit_form_data(
        editor_client,
        consultation,
        opens_at=_local(OPENS),
        closes_at=_closes_after(29),
        shortened_reason="时间紧迫。",
    )

    response = editor_client.post(edit_url(consultation), data)

    assert response.status_code == 200
    (message,) = response.context["form"].errors["closes_at"]
    assert "不得少于30日，且不得缩短" in message  # the rule's message, in the admin's language
    assert "不得少于30日，且不得缩短" in response.content.decode()
    consultation.refresh_from_db()
    assert (consultation.closes_at, consultation.latest_revision_id) == before


def test_thirty_days_land_compensation_plan_is_saved(editor_client, department):
    consultation = make_consultation("draft", department, kind=Kind.LAND_COMPENSATION)
    data = edit_form_data(
        editor_client, consultation, opens_at=_local(OPENS), closes_at=_closes_after(30)
    )

    response = editor_client.post(edit_url(consultation), data)

    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.latest_revision.as_object().closes_at == local_midnight_after(OPENS, 30)


def test_short_major_decision_is_saved_only_with_a_reason(editor_client, department):
    consultation = make_consultation("draft", department, kind=Kind.MAJOR_DECISION)
    data = edit_form_data(
        editor_client, consultation, opens_at=_local(OPENS), closes_at=_closes_after(20)
    )
    response = editor_client.post(edit_url(consultation), data)
    assert response.status_code == 200
    assert "closes_at" in response.context["form"].errors

    data["shortened_reason"] = "汛期将至，需尽快确定方案。"
    response = editor_client.post(edit_url(consultation), data)
    assert response.status_code == 302


def test_new_consultation_with_a_short_hard_period_is_not_created(editor_client):
    page = editor_client.get(add_url())
    data = form_post_data(
        page.context["form"],
        title="某村征地补偿安置方案",
        slug="short-compensation",
        kind=Kind.HOUSING_EXPROPRIATION,
        opens_at=_local(OPENS),
        closes_at=_closes_after(10),
        shortened_reason="时间紧迫。",
    )

    response = editor_client.post(add_url(), data)

    assert response.status_code == 200
    assert "closes_at" in response.context["form"].errors
    assert not Consultation.objects.filter(slug="short-compensation").exists()


def test_full_clean_refuses_the_period_and_accepts_no_dates(department):
    consultation = make_consultation("draft", department, kind=Kind.LAND_PRE_NOTICE)
    consultation.opens_at = OPENS
    consultation.closes_at = OPENS + timedelta(days=5)
    with pytest.raises(ValidationError) as err:
        consultation.full_clean()
    assert "closes_at" in err.value.message_dict
    consultation.opens_at = consultation.closes_at = None
    consultation.full_clean()  # a draft without dates yet can be saved


def test_opened_consultation_is_not_rechecked(department, settings):
    """A stricter local rule introduced later must not lock editors out of an open one."""
    consultation = make_consultation("open", department, kind=Kind.OTHER)
    settings.CONSULTATION_PERIOD_OVERRIDES = {"other": {"days": 90, "unit": "calendar"}}
    consultation.full_clean()
