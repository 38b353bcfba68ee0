"""The privacy officer's read-only audit trail viewer and contact access log (issue 12, point 6).

Adversaries played: staff of other roles (403), a reader of the viewer looking for a contact or an
opinion's words (an entry whose detail carries them by mistake is shown without them), someone
trying to change the trail through the viewer (read only), and a privacy officer browsing the
trail unseen (each new view is itself an audit entry).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

import feedback.privacy.hooks  # noqa: F401  (registered by feedback/wagtail_hooks.py too)
from consultations.periods import local_date
from consultations.roles import Role
from consultations.tests.factories import UserFactory, published_consultation
from feedback.audit.trail import record, verify
from feedback.intake.services import OpinionData, submission_create
from feedback.models import AuditAction, AuditEntry, ContactAccessLog, IdentityRequest
from feedback.privacy import services

pytestmark = pytest.mark.django_db

AUDIT = reverse("feedback_privacy:audit")
ACCESS_LOG = reverse("feedback_privacy:access_log")
EMAIL = "wang.wu@example.org"
PHONE = "13698765432"
WORDS = "垃圾焚烧厂离我家只有三百米，我坚决反对。"


@pytest.fixture
def opinion(open_consultation):
    submission, _ = submission_create(
        consultation=open_consultation,
        data=OpinionData(stance="oppose", comment=WORDS, contact_email=EMAIL, contact_phone=PHONE),
        token=uuid.uuid4(),
    )
    return submission


def _views() -> int:
    return AuditEntry.objects.filter(action=AuditAction.AUDIT_VIEW).count()


def test_the_viewer_shows_no_contact_and_no_opinion_text(client, officer, opinion):
    second = UserFactory.with_role(Role.PRIVACY_OFFICER)
    item = services.identity_request_create(
        user=officer,
        submission_id=opinion.pk,
        legal_basis=IdentityRequest.LegalBasis.EMERGENCY,
        legal_reference="《个人信息保护法》第十三条第一款第（四）项",
        reason="意见中称将采取极端行为，需紧急联系本人。",
    )
    services.identity_request_approve(user=second, request=item)
    services.identity_request_reveal(user=officer, request=item)
    # an entry written by mistake with a resident's words and details in it
    record(
        None,
        AuditAction.MODERATE,
        consultation=opinion.consultation,
        obj=opinion,
        detail={"comment": WORDS, "reason": f"联系 {PHONE} 或 {EMAIL}", "to": "hidden"},
    )
    client.force_login(officer)
    response = client.get(AUDIT)
    html = response.content.decode()
    assert response.status_code == 200
    for secret in (EMAIL, PHONE, WORDS, opinion.receipt, opinion.formatted_receipt):
        assert secret not in html
    assert "hidden" in html  # the rest of the detail is shown
    assert f"opinion: {opinion.pk}" in html  # the opinion's internal number is
    for action in (AuditAction.IDENTITY_REQUEST, AuditAction.IDENTITY_REVEAL):
        assert str(action.label) in html
    access = client.get(ACCESS_LOG).content.decode()
    assert f"identity look-up {item.pk}" in access
    for secret in (EMAIL, PHONE, WORDS, opinion.contact_ref):
        assert secret not in access


def test_filters_by_action_actor_consultation_and_dates(client, officer, open_consultation):
    other = published_consultation()
    analyst = UserFactory.with_role(Role.ANALYST)
    record(analyst, AuditAction.CODE, consultation=open_consultation, detail={"op": "add"})
    record(analyst, AuditAction.EXPORT, consultation=other, detail={"scope": "a"})
    record(None, AuditAction.CONTACT_PURGE, consultation=other, detail={"days": 90})
    client.force_login(officer)

    def shown(**params) -> set[str]:
        response = client.get(AUDIT, params)
        assert response.status_code == 200, response.context["form"].errors
        return {row["entry"].action for row in response.context["rows"]}

    assert shown(action="export") == {"export"}
    assert shown(actor=str(analyst.pk)) == {"code", "export"}
    assert shown(actor="system") == {"contact_purge"}
    assert shown(consultation=str(other.pk)) == {"export", "contact_purge"}
    today = local_date(timezone.now())
    assert {"code", "export"} <= shown(date_from=today.isoformat(), date_to=today.isoformat())
    assert shown(date_from=(today + timedelta(days=1)).isoformat()) == set()
    assert shown(date_to=(today - timedelta(days=1)).isoformat()) == set()


def test_bad_filters_get_a_clear_error_and_change_nothing(client, officer):
    client.force_login(officer)
    today = local_date(timezone.now())
    response = client.get(
        AUDIT,
        {"date_from": today.isoformat(), "date_to": (today - timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 400
    assert gettext("The first day comes after the last day.") in response.content.decode()
    assert client.get(AUDIT, {"action": "drop_table"}).status_code == 400
    assert client.get(AUDIT, {"actor": "abc"}).status_code == 400
    assert _views() == 0


def test_the_viewer_is_paginated(client, officer):
    for n in range(60):
        record(None, AuditAction.CONTACT_PURGE, detail={"n": n})
    client.force_login(officer)
    first = client.get(AUDIT, {"action": "contact_purge"})
    assert len(first.context["rows"]) == 50
    assert first.context["page_obj"].paginator.num_pages == 2
    second = client.get(AUDIT, {"action": "contact_purge", "page": 2})
    assert len(second.context["rows"]) == 10
    assert "action=contact_purge" in first.content.decode()  # the page links keep the filters


def test_the_viewer_is_read_only(client, officer):
    record(None, AuditAction.CONTACT_PURGE, detail={"n": 1})
    client.force_login(officer)
    for url in (AUDIT, ACCESS_LOG):
        assert client.post(url, {"action": "contact_purge"}).status_code == 405
        assert client.delete(url).status_code == 405
    assert AuditEntry.objects.count() == 1
    assert verify().ok


def test_each_new_view_is_itself_an_audit_entry(client, officer):
    client.force_login(officer)
    client.get(AUDIT)
    client.get(AUDIT, {"page": 1})  # paging through the same list writes no new entry
    assert _views() == 1
    client.get(AUDIT, {"action": "export"})
    client.get(ACCESS_LOG)
    entries = AuditEntry.objects.filter(action=AuditAction.AUDIT_VIEW).order_by("pk")
    assert [e.detail for e in entries] == [
        {"screen": "audit", "filters": {}},
        {"screen": "audit", "filters": {"action": "export"}},
        {"screen": "access_log", "filters": {}},
    ]
    assert all(e.actor == officer for e in entries)
    assert verify().ok


@pytest.mark.parametrize(
    "role", [Role.EDITOR, Role.APPROVER, Role.ANALYST, Role.INTAKE_CLERK, Role.ASSESSOR]
)
def test_staff_of_other_roles_get_403(client, role):
    record(None, AuditAction.CONTACT_PURGE, detail={"n": 1})
    client.force_login(UserFactory.with_role(role))
    for url in (AUDIT, ACCESS_LOG):
        assert client.get(url).status_code == 403
    assert _views() == 0


def test_site_administrators_may_read_the_trail(client):
    client.force_login(UserFactory.with_role(Role.SITE_ADMIN))
    assert client.get(AUDIT).status_code == 200
    assert client.get(ACCESS_LOG).status_code == 200


def test_the_access_log_filters_by_capacity(client, officer, opinion):
    from feedback.privacy.contacts import REPLY_SENDER, contact_read

    contact_read(submission=opinion, actor=REPLY_SENDER, purpose="send reply")
    client.force_login(officer)
    response = client.get(ACCESS_LOG, {"context": ContactAccessLog.Context.PRIVACY_OFFICER})
    assert list(response.context["page_obj"]) == []
    response = client.get(ACCESS_LOG, {"context": ContactAccessLog.Context.REPLY_SENDER})
    assert len(response.context["page_obj"]) == 1
