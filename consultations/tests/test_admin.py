"""The consultation editor's guards, the extend view and the reference-data screens, over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.admin_forms import FROZEN_MESSAGE
from consultations.models import ChangeLogEntry, Consultation
from consultations.roles import Role
from consultations.tests.admin_support import (
    NOW,
    SHANGHAI,
    add_url,
    edit_form_data,
    edit_url,
    extend_url,
    form_post_data,
    make_consultation,
    make_user,
)
from consultations.tests.factories import DepartmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def _local(value) -> str:
    return timezone.localtime(value, SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def _form_errors(response):
    form = response.context["form"]
    return form, [e.code for e in form.non_field_errors().as_data()]


def test_clause_edit_after_opening_is_rejected_and_the_text_kept(approver_client, department):
    consultation = make_consultation("open", department)
    original = list(consultation.draft_clauses.values_list("text", flat=True))
    data = edit_form_data(
        approver_client,
        consultation,
        **{"draft_clauses-0-text": "改过的条文", "change_note": "措辞修改"},
    )

    response = approver_client.post(edit_url(consultation), data)

    assert response.status_code == 200
    form, codes = _form_errors(response)
    assert "frozen" in codes
    assert str(FROZEN_MESSAGE) in [str(m) for m in form.non_field_errors()]
    consultation.refresh_from_db()
    assert list(consultation.draft_clauses.values_list("text", flat=True)) == original
    assert "改过的条文" not in str(consultation.latest_revision.content)


def test_new_question_after_opening_is_rejected(approver_client, department):
    consultation = make_consultation("open", department)
    data = edit_form_data(approver_client, consultation, change_note="增加问题")
    total = int(data["questions-TOTAL_FORMS"])
    data.update(
        {
            "questions-TOTAL_FORMS": str(total + 1),
            f"questions-{total}-type": "text",
            f"questions-{total}-text": "新问题？",
            f"questions-{total}-ORDER": str(total + 1),
        }
    )

    response = approver_client.post(edit_url(consultation), data)

    assert response.status_code == 200
    assert "frozen" in _form_errors(response)[1]
    assert not consultation.questions.exists()


def test_other_fields_of_an_open_consultation_can_be_saved_with_a_reason(
    approver_client, department
):
    consultation = make_consultation("open", department)
    data = edit_form_data(
        approver_client, consultation, plain_summary="更通俗的说明", change_note="补充说明"
    )

    response = approver_client.post(edit_url(consultation), data)

    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.latest_revision.as_object().plain_summary == "更通俗的说明"


def test_dates_of_an_open_consultation_cannot_be_moved_through_the_form(
    approver_client, department
):
    consultation = make_consultation("open", department)
    closes_at = consultation.closes_at
    data = edit_form_data(
        approver_client,
        consultation,
        closes_at=_local(NOW + timedelta(days=1)),
        change_note="试图提前截止",
    )
    response = approver_client.get(edit_url(consultation))
    assert response.context["form"].fields["closes_at"].disabled

    approver_client.post(edit_url(consultation), data)

    consultation.refresh_from_db()
    assert consultation.latest_revision.as_object().closes_at == closes_at


def test_clauses_of_an_upcoming_consultation_can_still_change(approver_client, department):
    consultation = make_consultation("upcoming", department)
    data = edit_form_data(
        approver_client,
        consultation,
        **{"draft_clauses-0-text": "开放前修改的条文", "change_note": "开放前修改"},
    )

    response = approver_client.post(edit_url(consultation), data)

    assert response.status_code == 302
    consultation.refresh_from_db()
    texts = [c.text for c in consultation.latest_revision.as_object().draft_clauses.all()]
    assert "开放前修改的条文" in texts


def test_editing_a_published_consultation_requires_a_change_note(approver_client, department):
    consultation = make_consultation("upcoming", department)
    data = edit_form_data(approver_client, consultation, plain_summary="新摘要")
    assert data.get("change_note", "") == ""

    response = approver_client.post(edit_url(consultation), data)

    assert response.status_code == 200
    assert "change_note" in response.context["form"].errors


def test_publish_refused_by_the_rules_shows_the_violations(approver_client, department):
    consultation = make_consultation("draft", department)
    data = edit_form_data(
        approver_client,
        consultation,
        explanatory_note="",
        **{"action-publish": "action-publish"},
    )

    response = approver_client.post(edit_url(consultation), data)

    assert response.status_code == 200
    assert "explanatory_note" in response.context["form"].errors
    consultation.refresh_from_db()
    assert not consultation.live


def test_editor_creates_in_their_own_department_whatever_they_post(department):
    other = DepartmentFactory()
    editor = make_user(Role.EDITOR, department)
    client = Client()
    client.force_login(editor)
    page = client.get(add_url())
    field = page.context["form"].fields["department"]
    assert field.disabled
    assert list(field.queryset) == [department]

    data = form_post_data(
        page.context["form"],
        title="新的征求意见",
        slug="new-consultation",
        kind=Consultation.Kind.OTHER,
        department=str(other.pk),
    )
    response = client.post(add_url(), data)

    assert response.status_code == 302
    created = Consultation.objects.get(slug="new-consultation")
    assert created.department == department
    assert not created.live


def test_extend_view_extends_an_open_consultation(approver_client, department):
    consultation = make_consultation("open", department)
    new_close = consultation.closes_at + timedelta(days=7)

    response = approver_client.post(
        extend_url(consultation),
        {"closes_at": _local(new_close), "reason": "应群众要求延长"},
    )

    assert response.status_code == 302
    assert response["Location"] == edit_url(consultation)
    consultation.refresh_from_db()
    assert consultation.closes_at == new_close
    assert ChangeLogEntry.objects.filter(
        consultation=consultation, type=ChangeLogEntry.Type.EXTENDED, reason="应群众要求延长"
    ).exists()


def test_extend_view_refuses_an_earlier_closing_time(approver_client, department):
    consultation = make_consultation("open", department)
    closes_at = consultation.closes_at

    response = approver_client.post(
        extend_url(consultation),
        {
            "closes_at": _local(closes_at - timedelta(days=3)),
            "reason": "想提前结束",
        },
    )

    assert response.status_code == 200
    assert "closes_at" in response.context["form"].errors
    consultation.refresh_from_db()
    assert consultation.closes_at == closes_at
    assert not ChangeLogEntry.objects.filter(type=ChangeLogEntry.Type.EXTENDED).exists()


def test_edit_view_links_to_the_extend_view_only_when_extending_is_allowed(
    approver_client, department
):
    open_one = make_consultation("open", department)
    upcoming = make_consultation("upcoming", department)

    assert extend_url(open_one) in approver_client.get(edit_url(open_one)).content.decode()
    assert extend_url(upcoming) not in approver_client.get(edit_url(upcoming)).content.decode()


@pytest.mark.parametrize("model", ["department", "district", "holidayoverride", "staffprofile"])
@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.SITE_ADMIN, True), (Role.EDITOR, False), (Role.APPROVER, False), (Role.ANALYST, False)],
)
def test_reference_data_is_for_site_administrators_only(model, role, allowed, department):
    client = Client()
    client.force_login(make_user(role, department))
    url = reverse(f"wagtailsnippets_consultations_{model}:list")

    response = client.get(url)

    assert response.status_code == (200 if allowed else 302)
