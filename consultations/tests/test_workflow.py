"""Department approval: an editor submits, only an approver of the same department approves."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import TaskState, WorkflowContentType

from consultations.models import Consultation, DepartmentApprovalTask
from consultations.roles import Role
from consultations.signals import WORKFLOW_NAME, ensure_roles, ensure_workflow
from consultations.tests.admin_support import (
    edit_form_data,
    edit_url,
    make_consultation,
    make_user,
)
from consultations.tests.factories import DepartmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _action_url(consultation, action: str, task_state) -> str:
    return reverse(
        "wagtailsnippets_consultations_consultation:workflow_action",
        args=[consultation.pk, action, task_state.pk],
    )


def _submit(editor, consultation) -> TaskState:
    client = _login(editor)
    data = edit_form_data(client, consultation, **{"action-submit": "action-submit"})
    response = client.post(edit_url(consultation), data)
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.workflow_in_progress
    return consultation.current_workflow_task_state


def test_consultations_use_the_department_approval_workflow():
    workflow = Consultation().get_workflow()
    assert workflow is not None
    assert workflow.name == WORKFLOW_NAME
    assert [type(t.specific) for t in workflow.tasks] == [DepartmentApprovalTask]


def test_ensuring_roles_and_workflow_twice_changes_nothing():
    ensure_roles()
    ensure_workflow()
    assert WorkflowContentType.objects.count() == 1
    assert DepartmentApprovalTask.objects.count() == 1


def test_editor_submits_and_only_an_approver_of_the_same_department_approves():
    home, elsewhere = DepartmentFactory(), DepartmentFactory()
    editor = make_user(Role.EDITOR, home)
    outsider = make_user(Role.APPROVER, elsewhere)
    approver = make_user(Role.APPROVER, home)
    consultation = make_consultation("draft", home)

    task_state = _submit(editor, consultation)
    task = task_state.task.specific

    # The editor and the other department's approver cannot approve.
    for user in (editor, outsider):
        assert task.get_actions(consultation, user) == []
        assert not TaskState.objects.reviewable_by(user).filter(pk=task_state.pk).exists()
    assert _login(outsider).get(edit_url(consultation)).status_code == 302
    response = _login(outsider).post(_action_url(consultation, "approve", task_state))
    assert response.status_code == 404  # other departments' consultations are not found
    consultation.refresh_from_db()
    assert not consultation.live
    assert consultation.workflow_in_progress

    # The approver of the consultation's department sees it and approves: it goes live.
    assert TaskState.objects.reviewable_by(approver).filter(pk=task_state.pk).exists()
    assert "approve" in [name for name, _label, _modal in task.get_actions(consultation, approver)]
    response = _login(approver).post(_action_url(consultation, "approve", task_state))
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.live
    assert not consultation.workflow_in_progress
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_APPROVED
    assert task_state.finished_by == approver


def test_submission_refused_by_the_rules_saves_the_draft_and_shows_the_reasons():
    home = DepartmentFactory()
    editor = make_user(Role.EDITOR, home)
    consultation = make_consultation("draft", home)
    client = _login(editor)
    data = edit_form_data(
        client,
        consultation,
        explanatory_note="",
        plain_summary="改过的摘要",
        **{"action-submit": "action-submit"},
    )

    response = client.post(edit_url(consultation), data)

    assert response.status_code == 200
    assert "起草说明" in " ".join(response.context["form"].errors["explanatory_note"])
    consultation.refresh_from_db()
    assert not consultation.workflow_in_progress  # not submitted ...
    assert consultation.latest_revision.as_object().plain_summary == "改过的摘要"  # ... but saved


def test_approval_refused_by_the_rules_keeps_the_task_open_and_says_why(settings):
    home = DepartmentFactory()
    editor = make_user(Role.EDITOR, home)
    approver = make_user(Role.APPROVER, home)
    consultation = make_consultation("draft", home, kind="other")
    task_state = _submit(editor, consultation)
    # A stricter local rule comes into force while the submission waits for approval.
    settings.CONSULTATION_PERIOD_OVERRIDES = {"other": {"days": 90, "unit": "calendar"}}

    response = _login(approver).post(_action_url(consultation, "approve", task_state), follow=True)

    consultation.refresh_from_db()
    assert not consultation.live
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS
    shown = [str(m) for m in response.context["messages"]]
    assert any("90" in m for m in shown), shown  # the rule's reason, not only "refused"


def test_approver_of_the_department_can_request_changes():
    home = DepartmentFactory()
    editor = make_user(Role.EDITOR, home)
    approver = make_user(Role.APPROVER, home)
    consultation = make_consultation("draft", home)
    task_state = _submit(editor, consultation)

    response = _login(approver).post(
        _action_url(consultation, "reject", task_state), {"comment": "请补充起草说明"}
    )

    assert response.status_code == 302
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_REJECTED
    consultation.refresh_from_db()
    assert not consultation.live


def test_dashboard_lists_the_task_for_the_department_approver_only():
    home, elsewhere = DepartmentFactory(), DepartmentFactory()
    editor = make_user(Role.EDITOR, home)
    consultation = make_consultation("draft", home, title="待审批的征求意见")
    _submit(editor, consultation)

    own = _login(make_user(Role.APPROVER, home)).get(reverse("wagtailadmin_home"))
    other = _login(make_user(Role.APPROVER, elsewhere)).get(reverse("wagtailadmin_home"))

    assert own.status_code == other.status_code == 200
    assert "待审批的征求意见" in own.content.decode()
    assert "待审批的征求意见" not in other.content.decode()
