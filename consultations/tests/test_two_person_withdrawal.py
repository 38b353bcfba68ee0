"""Withdrawing or cancelling a published consultation takes two people (issue 13).

Every test plays the adversary: one approver alone, the requester confirming their own request,
an approver of another department, an editor, Wagtail's own unpublish URL and the workflow
actions, the model's ``unpublish`` called directly. Audit entries are read through the app
registry (``consultations`` may not import ``feedback``).
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from consultations.models import ChangeLogEntry, Consultation, WithdrawalRequest
from consultations.roles import Role
from consultations.rules import ConsultationRuleError
from consultations.tests.admin_support import NOW, edit_url, make_consultation, make_user
from consultations.tests.factories import DepartmentFactory, UserFactory
from consultations.tests.two_person import refused, staff_client
from consultations.withdrawals import (
    MIN_REASON_CHARS,
    consultation_withdrawal_confirm,
    consultation_withdrawal_refuse,
    consultation_withdrawal_request,
    consultation_withdrawal_retract,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

REASON = "上级机关要求暂缓该事项，须重新论证后再公开征求意见。"
SNIPPET = "wagtailsnippets_consultations_consultation"


@pytest.fixture
def home():
    return DepartmentFactory()


@pytest.fixture
def people(home):
    elsewhere = DepartmentFactory()
    return {
        "approver": make_user(Role.APPROVER, home),
        "approver2": make_user(Role.APPROVER, home),
        "editor": make_user(Role.EDITOR, home),
        "outsider": make_user(Role.APPROVER, elsewhere),
        "admin": UserFactory(is_staff=True, is_superuser=True),
    }


@pytest.fixture
def consultation(home):
    return make_consultation("open", home)


def _audit(action: str):
    return apps.get_model("feedback", "AuditEntry").objects.filter(action=action)


def _live(consultation) -> bool:
    return Consultation.objects.get(pk=consultation.pk).live


def _request(consultation, user, action="unpublish"):
    return consultation_withdrawal_request(
        consultation=consultation, user=user, action=action, reason=REASON
    )


# --- the services --------------------------------------------------------------------------


def test_asking_leaves_it_published_and_writes_the_change_log_and_the_audit(consultation, people):
    request = _request(consultation, people["approver"])
    assert _live(consultation)
    entry = consultation.change_log.get(type=ChangeLogEntry.Type.WITHDRAWAL_REQUESTED)
    assert entry.reason == REASON and entry.summary and entry.summary_en
    audit = _audit("withdraw_request").get()
    assert audit.actor == people["approver"] and audit.consultation_id == consultation.pk
    assert audit.object_id == str(request.pk) and audit.detail["reason"] == REASON


@pytest.mark.parametrize("reason", ["", "   ", "太短了", "x" * (MIN_REASON_CHARS - 1)])
def test_a_reason_of_minimum_length_is_required_with_a_translated_error(
    consultation, people, reason
):
    for language, expected in (("en", "at least"), ("zh-hans", str(MIN_REASON_CHARS))):
        with translation.override(language), pytest.raises(ConsultationRuleError) as error:
            consultation_withdrawal_request(
                consultation=consultation,
                user=people["approver"],
                action="unpublish",
                reason=reason,
            )
        assert expected in " ".join(error.value.messages)
    with translation.override("en"), pytest.raises(ConsultationRuleError) as error:
        consultation_withdrawal_request(
            consultation=consultation, user=people["approver"], action="unpublish", reason=""
        )
    english = " ".join(error.value.messages)
    with translation.override("zh-hans"), pytest.raises(ConsultationRuleError) as error:
        consultation_withdrawal_request(
            consultation=consultation, user=people["approver"], action="unpublish", reason=""
        )
    assert " ".join(error.value.messages) != english  # translated, not the English source
    assert not WithdrawalRequest.objects.exists()
    assert not _audit("withdraw_request").exists()


@pytest.mark.parametrize("who", ["editor", "outsider"])
def test_editors_and_other_departments_cannot_ask(consultation, people, who):
    with pytest.raises(PermissionDenied):
        _request(consultation, people[who])
    assert not WithdrawalRequest.objects.exists()


def test_the_requester_can_never_confirm_even_as_site_administrator(consultation, people):
    for requester in (people["approver"], people["admin"]):
        request = _request(consultation, requester)
        with pytest.raises(PermissionDenied):
            consultation_withdrawal_confirm(request=request, user=requester)
        with pytest.raises(PermissionDenied):
            consultation_withdrawal_refuse(request=request, user=requester, comment=REASON)
        assert _live(consultation)
        consultation_withdrawal_retract(request=request, user=requester, comment=REASON)
    assert not _audit("withdraw_confirm").exists()


def test_the_database_refuses_a_decision_by_the_requester(consultation, people):
    request = _request(consultation, people["approver"])
    with pytest.raises(IntegrityError), transaction.atomic():
        WithdrawalRequest.objects.filter(pk=request.pk).update(
            status="confirmed", decided_by=people["approver"], decided_at=NOW
        )


def test_only_one_request_waits_at_a_time(consultation, people):
    _request(consultation, people["approver"])
    with pytest.raises(ConsultationRuleError):
        _request(consultation, people["approver2"])


@pytest.mark.parametrize("who", ["editor", "outsider"])
def test_editors_and_other_departments_cannot_confirm(consultation, people, who):
    request = _request(consultation, people["approver"])
    with pytest.raises(PermissionDenied):
        consultation_withdrawal_confirm(request=request, user=people[who])
    with pytest.raises(PermissionDenied):
        consultation_withdrawal_refuse(request=request, user=people[who], comment=REASON)
    assert _live(consultation)
    assert WithdrawalRequest.objects.get().status == "pending"


@pytest.mark.parametrize("second", ["approver2", "admin"])
def test_a_second_person_confirms_and_only_then_it_is_unpublished(consultation, people, second):
    request = _request(consultation, people["approver"])
    consultation_withdrawal_confirm(request=request, user=people[second])
    assert not _live(consultation)
    request.refresh_from_db()
    assert request.status == "confirmed" and request.decided_by == people[second]
    types = list(consultation.change_log.values_list("type", flat=True))
    assert ChangeLogEntry.Type.UNPUBLISHED in types
    assert ChangeLogEntry.Type.WITHDRAWAL_REQUESTED in types
    entry = consultation.change_log.get(type=ChangeLogEntry.Type.UNPUBLISHED)
    assert entry.reason == REASON and entry.actor == people[second]
    confirm = _audit("withdraw_confirm").get()
    assert confirm.actor == people[second]
    assert confirm.detail["requested_by"] == people["approver"].pk
    # Confirming twice does nothing more.
    with pytest.raises(ConsultationRuleError):
        consultation_withdrawal_confirm(request=request, user=people[second])


def test_refusal_needs_a_reason_and_keeps_it_published(consultation, people):
    request = _request(consultation, people["approver"])
    with pytest.raises(ConsultationRuleError):
        consultation_withdrawal_refuse(request=request, user=people["approver2"], comment="")
    consultation_withdrawal_refuse(
        request=request, user=people["approver2"], comment="理由不充分，征求意见应当继续进行。"
    )
    assert _live(consultation)
    assert consultation.change_log.filter(type=ChangeLogEntry.Type.WITHDRAWAL_REFUSED).exists()
    assert _audit("withdraw_refuse").get().actor == people["approver2"]
    with pytest.raises(ConsultationRuleError):
        consultation_withdrawal_confirm(request=request, user=people["admin"])
    assert _live(consultation)


def test_only_the_requester_withdraws_a_request(consultation, people):
    request = _request(consultation, people["approver"])
    with pytest.raises(PermissionDenied):
        consultation_withdrawal_retract(request=request, user=people["approver2"], comment=REASON)
    consultation_withdrawal_retract(request=request, user=people["approver"], comment=REASON)
    assert WithdrawalRequest.objects.get().status == "retracted"
    assert consultation.change_log.filter(type=ChangeLogEntry.Type.WITHDRAWAL_RETRACTED).exists()
    assert _audit("withdraw_retract").get().actor == people["approver"]
    with pytest.raises(ConsultationRuleError):
        consultation_withdrawal_confirm(request=request, user=people["approver2"])
    assert _live(consultation)


def test_the_model_refuses_to_unpublish_without_a_confirmed_request(consultation, people):
    with pytest.raises(PermissionDenied):
        consultation.unpublish(user=people["admin"])
    with pytest.raises(PermissionDenied):
        consultation.unpublish(set_expired=True, log_action="wagtail.unpublish.scheduled")
    assert _live(consultation)


def test_a_cancelled_consultation_is_not_published_again(consultation, people):
    request = _request(consultation, people["approver"], action="cancel")
    consultation_withdrawal_confirm(request=request, user=people["approver2"])
    consultation.refresh_from_db()
    assert consultation.change_log.filter(type=ChangeLogEntry.Type.CANCELLED).exists()
    revision = consultation.save_revision(user=people["approver"])
    with pytest.raises(ConsultationRuleError) as error:
        revision.publish(user=people["approver"])
    assert "cancelled" in [v.code for v in error.value.violations]
    assert not _live(consultation)


def test_a_revision_waiting_for_approval_is_cancelled_on_confirmation(consultation, people):
    consultation.save_revision(user=people["editor"])
    consultation.get_workflow().start(consultation, people["editor"])
    consultation.refresh_from_db()
    assert consultation.workflow_in_progress
    request = _request(consultation, people["approver"])
    consultation_withdrawal_confirm(request=request, user=people["approver2"])
    consultation.refresh_from_db()
    assert not consultation.workflow_in_progress and not consultation.live


# --- every route, by POST, as one approver ---------------------------------------------------


def test_wagtails_unpublish_url_never_unpublishes(consultation, people):
    url = reverse(f"{SNIPPET}:unpublish", args=[consultation.pk])
    withdraw = reverse("consultations_admin:withdraw", args=[consultation.pk])
    for who in ("approver", "admin"):
        client = staff_client(people[who])
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == withdraw
        response = client.post(url, {})
        assert response.status_code == 302 and response["Location"] == withdraw
        assert _live(consultation)
    refused = staff_client(people["outsider"]).post(url, {})
    assert refused.status_code in (302, 403, 404) and refused.get("Location") != withdraw
    assert _live(consultation)


def test_the_edit_view_offers_the_two_person_route_not_wagtails_unpublish(consultation, people):
    html = staff_client(people["approver"]).get(edit_url(consultation)).content.decode()
    assert reverse(f"{SNIPPET}:unpublish", args=[consultation.pk]) not in html
    assert reverse("consultations_admin:withdraw", args=[consultation.pk]) in html


def test_workflow_actions_do_not_unpublish(consultation, people):
    consultation.save_revision(user=people["editor"])
    consultation.get_workflow().start(consultation, people["editor"])
    consultation.refresh_from_db()
    task_state = consultation.current_workflow_task_state
    client = staff_client(people["approver"])
    for action in ("reject", "approve", "unpublish", "cancel"):
        url = reverse(f"{SNIPPET}:workflow_action", args=[consultation.pk, action, task_state.pk])
        client.post(url, {"comment": "x"})
        assert _live(consultation)
    url = reverse(f"{SNIPPET}:confirm_workflow_cancellation", args=[consultation.pk])
    client.post(url, {})
    assert _live(consultation)


def test_a_site_administrator_cannot_delete_a_published_consultation(consultation, people):
    url = reverse(f"{SNIPPET}:delete", args=[consultation.pk])
    assert refused(staff_client(people["admin"]).post(url, {}))
    assert Consultation.objects.filter(pk=consultation.pk, live=True).exists()


def test_the_two_step_views(consultation, people):
    ask = reverse("consultations_admin:withdraw", args=[consultation.pk])
    assert refused(staff_client(people["editor"]).get(ask))
    assert refused(
        staff_client(people["outsider"]).post(ask, {"action": "unpublish", "reason": REASON})
    )
    client = staff_client(people["approver"])
    with translation.override("en"):
        response = client.post(
            ask, {"action": "unpublish", "reason": "短"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 400 and b"at least" in response.content
    response = client.post(ask, {"action": "unpublish", "reason": REASON})
    request = WithdrawalRequest.objects.get()
    detail = reverse("consultations_admin:withdrawal", args=[request.pk])
    assert response.status_code == 302 and response["Location"] == detail
    assert _live(consultation)

    # The requester POSTs a confirmation directly: refused, still published.
    assert refused(client.post(detail, {"decision": "confirm"}))
    assert refused(client.post(detail, {"decision": "refuse", "comment": REASON}))
    assert _live(consultation)
    # Another department's approver does not even see it; an editor cannot decide.
    assert staff_client(people["outsider"]).post(detail, {"decision": "confirm"}).status_code == 404
    assert refused(staff_client(people["editor"]).post(detail, {"decision": "confirm"}))
    assert _live(consultation)
    # The list shows it to the second approver, who confirms.
    second = staff_client(people["approver2"])
    assert detail.encode() in second.get(reverse("consultations_admin:withdrawals")).content
    assert b'name="decision" value="confirm"' in second.get(detail).content
    assert second.post(detail, {"decision": "confirm"}).status_code == 302
    assert not _live(consultation)
    assert refused(staff_client(people["editor"]).get(reverse("consultations_admin:withdrawals")))


# --- the revision views answer ---------------------------------------------------------------


def test_every_history_and_revision_view_answers_200(consultation, people):
    client = staff_client(people["approver"])
    consultation.title = "改过的标题"
    second = consultation.save_revision(user=people["approver"])
    first = consultation.revisions.order_by("pk").first()
    consultation.get_workflow().start(consultation, people["editor"])
    consultation.refresh_from_db()
    workflow_state = consultation.current_workflow_state
    task = consultation.current_workflow_task
    urls = [
        reverse(f"{SNIPPET}:history", args=[consultation.pk]),
        reverse(f"{SNIPPET}:history_results", args=[consultation.pk]),
        reverse(f"{SNIPPET}:revisions_view", args=[consultation.pk, first.pk]),
        reverse(f"{SNIPPET}:revisions_view", args=[consultation.pk, second.pk]),
        reverse(f"{SNIPPET}:revisions_compare", args=[consultation.pk, "earliest", "latest"]),
        reverse(f"{SNIPPET}:revisions_compare", args=[consultation.pk, "live", "latest"]),
        reverse(f"{SNIPPET}:revisions_compare", args=[consultation.pk, first.pk, second.pk]),
        reverse(f"{SNIPPET}:revisions_revert", args=[consultation.pk, first.pk]),
        reverse(f"{SNIPPET}:workflow_history", args=[consultation.pk]),
        reverse(f"{SNIPPET}:workflow_history_detail", args=[consultation.pk, workflow_state.pk]),
        reverse(f"{SNIPPET}:workflow_preview", args=[consultation.pk, task.pk]),
        reverse(f"{SNIPPET}:preview_on_edit", args=[consultation.pk]),
        reverse(f"{SNIPPET}:usage", args=[consultation.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    html = client.get(urls[3]).content.decode()
    assert "改过的标题" in html
    # Another department's approver is refused on each of them.
    outsider = staff_client(people["outsider"])
    for url in urls:
        assert outsider.get(url).status_code in (302, 403, 404), url


# --- the public page -------------------------------------------------------------------------


def test_the_public_page_says_it_was_withdrawn_with_reason_and_date(
    consultation, people, site_tree
):
    client = Client()
    url = f"/consultations/{consultation.slug}/"
    assert client.get(url).status_code == 200
    request = _request(consultation, people["approver"], action="cancel")
    assert client.get(url).status_code == 200  # still published while it waits
    consultation_withdrawal_confirm(request=request, user=people["approver2"])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    html = response.content.decode()
    assert REASON in html and "cancelled" in html and "2026" in html
    assert client.get(f"/consultations/{consultation.slug}/opinion/").status_code in (404, 410)
    assert client.get("/consultations/never-existed/").status_code == 404
