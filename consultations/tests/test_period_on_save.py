"""R10/R11 and issue 15: a draft with a period that breaks a floor is saved (drafts save at any
time, with a warning), but it is refused, with the rule's reason, when the editor submits it
for approval, when the approver approves it and whenever anything publishes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consultations.models import Consultation, Kind
from consultations.roles import Role
from consultations.rules import ConsultationRuleError
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
from consultations.tests.factories import local_midnight_after

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

OPENS = NOW + timedelta(days=1)


@pytest.fixture
def editor_client(department):
    client = Client()
    client.force_login(make_user(Role.EDITOR, department))
    return client


def _local(value) -> str:
    return timezone.localtime(value, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _closes_after(days: int) -> str:
    return _local(local_midnight_after(OPENS, days))


def _submit(data: dict) -> dict:
    return {**data, "action-submit": "action-submit"}


def test_a_short_land_compensation_plan_is_saved_as_a_draft_with_a_warning(
    editor_client, department
):
    consultation = make_consultation("draft", department, kind=Kind.LAND_COMPENSATION)
    data = edit_form_data(
        editor_client,
        consultation,
        opens_at=_local(OPENS),
        closes_at=_closes_after(29),
        shortened_reason="时间紧迫。",
    )

    response = editor_client.post(edit_url(consultation), data, follow=True)

    consultation.refresh_from_db()
    assert consultation.latest_revision.as_object().closes_at == local_midnight_after(OPENS, 29)
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "不得少于30日，且不得缩短" in shown  # warned, in the admin's language
    assert not consultation.workflow_in_progress


def test_submitting_a_short_land_compensation_plan_is_refused_with_the_reason(
    editor_client, department
):
    consultation = make_consultation("draft", department, kind=Kind.LAND_COMPENSATION)
    data = edit_form_data(
        editor_client,
        consultation,
        opens_at=_local(OPENS),
        closes_at=_closes_after(29),
        shortened_reason="时间紧迫。",
    )

    response = editor_client.post(edit_url(consultation), _submit(data))

    assert response.status_code == 200
    (message,) = response.context["form"].errors["closes_at"]
    assert "不得少于30日，且不得缩短" in message
    assert "不得少于30日，且不得缩短" in response.content.decode()
    consultation.refresh_from_db()
    assert not consultation.workflow_in_progress
    assert not consultation.live


def test_a_thirty_day_land_compensation_plan_is_submitted(editor_client, department):
    consultation = make_consultation("draft", department, kind=Kind.LAND_COMPENSATION)
    data = edit_form_data(
        editor_client, consultation, opens_at=_local(OPENS), closes_at=_closes_after(30)
    )

    response = editor_client.post(edit_url(consultation), _submit(data))

    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.workflow_in_progress
    assert consultation.latest_revision.as_object().closes_at == local_midnight_after(OPENS, 30)


def test_short_major_decision_is_submitted_only_with_a_reason(editor_client, department):
    consultation = make_consultation("draft", department, kind=Kind.MAJOR_DECISION)
    data = edit_form_data(
        editor_client, consultation, opens_at=_local(OPENS), closes_at=_closes_after(20)
    )
    response = editor_client.post(edit_url(consultation), _submit(data))
    assert response.status_code == 200
    assert "closes_at" in response.context["form"].errors

    data["shortened_reason"] = "汛期将至，需尽快确定方案。"
    response = editor_client.post(edit_url(consultation), _submit(data))
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.workflow_in_progress


def test_new_consultation_with_a_short_hard_period_is_created_but_not_submitted(editor_client):
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

    response = editor_client.post(add_url(), _submit(data), follow=True)

    created = Consultation.objects.get(slug="short-compensation")  # the draft is kept
    assert not created.workflow_in_progress
    assert not created.live
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "不得少于30日" in shown


def test_publishing_in_code_refuses_the_period_and_saving_accepts_it(department):
    consultation = make_consultation("draft", department, kind=Kind.LAND_PRE_NOTICE)
    consultation.opens_at = OPENS
    consultation.closes_at = OPENS + timedelta(days=5)
    consultation.full_clean()  # a draft saves whatever its period
    assert [v.code for v in consultation.period_warnings()] == ["period_too_short"]
    revision = consultation.save_revision()
    with pytest.raises(ConsultationRuleError) as err:
        revision.publish(skip_permission_checks=True)
    assert "closes_at" in err.value.message_dict
    consultation.refresh_from_db()
    assert not consultation.live


def test_opened_consultation_is_not_rechecked(department, settings):
    """A stricter local rule introduced later must not lock editors out of an open one."""
    consultation = make_consultation("open", department, kind=Kind.OTHER)
    settings.CONSULTATION_PERIOD_OVERRIDES = {"other": {"days": 90, "unit": "calendar"}}
    consultation.full_clean()
    assert consultation.period_warnings() == []
