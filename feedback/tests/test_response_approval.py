"""Two people publish the official response (issue 13).

An editor or approver of the department submits; an approver of the department or a site
administrator who did not submit approves (which publishes it) or sends it back. Each test
plays the adversary: an editor approving by a direct POST, a submitter who is also an
approver, another department's approver, a disposition changed behind the approver's back.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from consultations.models import ChangeLogEntry, Consultation, Department
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from consultations.tests.two_person import refused, staff_client
from feedback.models import (
    AuditAction,
    AuditEntry,
    ConsultationResponse,
    Disposition,
    Notification,
    ResponseStatus,
    ThemeResponse,
)
from feedback.response.services import (
    ResponseNotReady,
    disposition_set,
    response_approve,
    response_return,
    response_submit,
)
from feedback.tests.response_fixtures import build_world, department_approver
from feedback.tests.test_response import answer_all

pytestmark = pytest.mark.django_db

COMMENT = "第二个主题的理由需要写得更具体。"


@pytest.fixture
def world():
    w = build_world()
    answer_all(w)
    return w


def _audit(world, action) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action, consultation_id=world.consultation.pk))


def _log_types(world) -> list[str]:
    return list(
        ChangeLogEntry.objects.filter(consultation=world.consultation)
        .order_by("created_at", "pk")
        .values_list("type", flat=True)
    )


def _published(world) -> bool:
    return ConsultationResponse.objects.filter(
        consultation=world.consultation, published_at__isnull=False
    ).exists()


def _submit(world, user=None):
    return response_submit(
        user=user or world.editor, consultation=world.consultation, summary="感谢各位居民参与。"
    )


def test_submission_publishes_nothing_and_notifies_nobody(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _submit(world)
    assert callbacks == []  # no notification task, no PDF task
    assert response.status == ResponseStatus.SUBMITTED and response.published_at is None
    assert not _published(world) and mail.outbox == [] and not Notification.objects.exists()
    c = Consultation.objects.get(pk=world.consultation.pk)
    assert c.stage == Consultation.Stage.CONSULTING
    assert Client().get(f"/consultations/{c.slug}/response/").status_code == 404
    assert ChangeLogEntry.Type.RESPONSE_SUBMITTED in _log_types(world)
    [entry] = _audit(world, AuditAction.RESPONSE_SUBMIT)
    assert entry.actor == world.editor and entry.detail["fingerprint"] == response.fingerprint


def test_an_editor_cannot_approve_or_publish_even_by_a_direct_post(world):
    _submit(world)
    other_editor = UserFactory.with_role(Role.EDITOR, department=world.consultation.department)
    for user in (world.editor, other_editor):
        with pytest.raises(PermissionDenied):
            response_approve(user=user, consultation=world.consultation)
        with pytest.raises(PermissionDenied):
            response_return(user=user, consultation=world.consultation, comment=COMMENT)
        client = staff_client(user)
        for name in ("approve", "publish"):
            url = reverse(f"feedback_response:{name}", args=[world.consultation.pk])
            assert refused(client.post(url, {"confirm": "on"})), name
        url = reverse("feedback_response:return", args=[world.consultation.pk])
        assert refused(client.post(url, {"comment": COMMENT}))
    assert not _published(world)
    assert ConsultationResponse.objects.get().status == ResponseStatus.SUBMITTED
    assert _audit(world, AuditAction.RESPONSE_APPROVE) == []


@pytest.mark.parametrize("role", [Role.APPROVER, Role.SITE_ADMIN])
def test_the_submitter_cannot_approve_their_own_response_even_as_approver(world, role):
    submitter = UserFactory.with_role(role, department=world.consultation.department)
    _submit(world, user=submitter)
    with pytest.raises(PermissionDenied):
        response_approve(user=submitter, consultation=world.consultation)
    url = reverse("feedback_response:approve", args=[world.consultation.pk])
    assert refused(staff_client(submitter).post(url, {"confirm": "on"}))
    html = staff_client(submitter).get(
        reverse("feedback_response:screen", args=[world.consultation.pk])
    )
    assert f'action="{url}"' not in html.content.decode()
    assert not _published(world)


def test_the_database_refuses_a_response_published_by_its_submitter(world):
    response = _submit(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationResponse.objects.filter(pk=response.pk).update(
            status=ResponseStatus.PUBLISHED,
            published_at=response.submitted_at,
            published_by=world.editor,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationResponse.objects.filter(pk=response.pk).update(
            published_at=response.submitted_at
        )


def test_an_approver_of_another_department_cannot_approve(world):
    _submit(world)
    other = Department.objects.create(name="别的局", slug="another-dept")
    outsider = UserFactory.with_role(Role.APPROVER, department=other)
    with pytest.raises(PermissionDenied):
        response_approve(user=outsider, consultation=world.consultation)
    url = reverse("feedback_response:approve", args=[world.consultation.pk])
    assert refused(staff_client(outsider).post(url, {"confirm": "on"}))
    assert not _published(world)


def test_dispositions_are_locked_while_submitted_and_free_again_when_sent_back(world):
    _submit(world)
    health = world.themes[0]
    with pytest.raises(ValidationError):
        disposition_set(user=world.editor, theme=health, disposition=Disposition.PARTLY, reason="x")
    url = reverse("feedback_response:disposition", args=[world.consultation.pk, health.pk])
    refused = staff_client(world.editor).post(
        url, {f"t{health.pk}-disposition": "partly", f"t{health.pk}-reason": "x"}
    )
    assert refused.status_code == 400
    assert ThemeResponse.objects.get(theme=health).disposition == Disposition.ADOPTED
    approver = department_approver(world)
    with pytest.raises(ValidationError):
        response_return(user=approver, consultation=world.consultation, comment="短")
    response_return(user=approver, consultation=world.consultation, comment=COMMENT)
    assert ConsultationResponse.objects.get().status == ResponseStatus.RETURNED
    assert ChangeLogEntry.Type.RESPONSE_RETURNED in _log_types(world)
    [entry] = _audit(world, AuditAction.RESPONSE_RETURN)
    assert entry.actor == approver and entry.detail["comment"] == COMMENT
    # Sent back: nothing to approve; the editor can change the dispositions again.
    with pytest.raises(ValidationError):
        response_approve(user=approver, consultation=world.consultation)
    disposition_set(
        user=world.editor, theme=health, disposition=Disposition.PARTLY, reason="部分采纳。"
    )
    html = staff_client(world.editor).get(
        reverse("feedback_response:screen", args=[world.consultation.pk])
    )
    assert COMMENT in html.content.decode()


def test_a_change_behind_the_approvers_back_is_not_published(world):
    _submit(world)
    ThemeResponse.objects.filter(theme=world.themes[1]).update(reason="悄悄改过的理由。")
    with pytest.raises(ValidationError):
        response_approve(user=department_approver(world), consultation=world.consultation)
    assert not _published(world)


def test_the_whole_path_writes_the_log_and_the_audit_and_notifies_only_after_approval(
    world, django_capture_on_commit_callbacks, settings
):
    settings.SMS_BACKEND = "feedback.response.sms.LocmemSMSBackend"
    approver = department_approver(world)
    _submit(world)
    response_return(user=approver, consultation=world.consultation, comment=COMMENT)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(world)
    assert mail.outbox == [] and not Notification.objects.exists()
    client = staff_client(approver)
    screen = client.get(reverse("feedback_response:screen", args=[world.consultation.pk]))
    assert b'id="approval"' in screen.content
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("feedback_response:approve", args=[world.consultation.pk]), {"confirm": "on"}
        )
    assert done.status_code == 302
    response = ConsultationResponse.objects.get()
    assert response.status == ResponseStatus.PUBLISHED and response.published_by == approver
    assert response.submitted_by == world.editor
    assert len(mail.outbox) == 2 and Notification.objects.filter(status="sent").count() == 3
    types = _log_types(world)
    for expected in (
        ChangeLogEntry.Type.RESPONSE_SUBMITTED,
        ChangeLogEntry.Type.RESPONSE_RETURNED,
        ChangeLogEntry.Type.RESPONSE_APPROVED,
        ChangeLogEntry.Type.STAGE,
    ):
        assert expected in types
    assert types.count(ChangeLogEntry.Type.RESPONSE_SUBMITTED) == 2
    entries = ChangeLogEntry.objects.filter(consultation=world.consultation)
    assert all(e.summary and e.summary_en for e in entries)
    assert len(_audit(world, AuditAction.RESPONSE_SUBMIT)) == 2
    [approval] = _audit(world, AuditAction.RESPONSE_APPROVE)
    assert approval.actor == approver and approval.detail["submitted_by"] == world.editor.pk
    [publish] = _audit(world, AuditAction.PUBLISH)
    assert publish.actor == approver
    # Published: final; neither a new submission nor a disposition change is possible.
    with pytest.raises(ValidationError):
        disposition_set(
            user=world.editor, theme=world.themes[0], disposition=Disposition.PARTLY, reason="x"
        )
    with pytest.raises(ResponseNotReady):
        _submit(world)
    with pytest.raises(ValidationError):
        response_approve(
            user=UserFactory.with_role(Role.SITE_ADMIN), consultation=world.consultation
        )
