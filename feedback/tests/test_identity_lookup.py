"""Identity look-up needs two people (issue 12, point 6): a privacy officer asks, naming the opinion,
the legal basis and the reason; a second privacy officer or a site administrator decides; the
requester sees the contact once, within 15 minutes; every step is in the audit chain.

Adversaries played: a single privacy officer approving their own request, a site administrator
and a second privacy officer who are not the requester, someone replaying the page that showed
the contact or coming back after the window, a database reader looking for the contact in the
audit chain or the request rows. Other roles and what cannot be asked: test_identity_rules.py.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

import feedback.privacy.hooks  # noqa: F401  (registered by feedback/wagtail_hooks.py too)
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.audit.trail import verify
from feedback.models import (
    AuditAction,
    AuditEntry,
    Contact,
    ContactAccessLog,
    IdentityRequest,
)
from feedback.privacy import services
from feedback.privacy.contacts import contact_read
from feedback.tests._identity import (
    BASIS,
    EMAIL,
    PHONE,
    REASON,
    REFERENCE,
    ask,
    audit_actions,
    opinion_with_contact,
)

pytestmark = pytest.mark.django_db

Status = IdentityRequest.Status


def _database_text() -> str:
    """Everything a database reader finds in the audit chain and the request rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM feedback_auditentry")
        audit = cursor.fetchall()
        cursor.execute("SELECT * FROM feedback_identityrequest")
        requests = cursor.fetchall()
    return json.dumps([audit, requests], default=str, ensure_ascii=False)


# --- the whole way, through the screens -------------------------------------------------------


def test_two_people_then_shown_once_to_the_requester(client, opinion, officer, second_officer):
    client.force_login(officer)
    response = client.post(
        reverse("feedback_privacy:identity_new"),
        {
            "submission_id": opinion.pk,
            "legal_basis": BASIS,
            "legal_reference": REFERENCE,
            "reason": REASON,
        },
    )
    item = IdentityRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback_privacy:identity_detail", args=[item.pk])
    assert item.status == Status.PENDING and item.requested_by == officer
    detail = client.get(response["Location"]).content.decode()
    assert EMAIL not in detail and PHONE not in detail
    assert opinion.comment not in detail  # the people deciding see where and when, not the text

    client.force_login(second_officer)
    decided = client.post(
        reverse("feedback_privacy:identity_decide", args=[item.pk]),
        {"decision": "approve", "note": "依据充分"},
    )
    assert decided.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.APPROVED and item.decided_by == second_officer
    assert item.reveal_expires_at - item.decided_at == timedelta(minutes=15)

    client.force_login(officer)
    shown = client.post(reverse("feedback_privacy:identity_reveal", args=[item.pk]))
    html = shown.content.decode()
    assert shown.status_code == 200
    assert EMAIL in html and PHONE in html
    assert "no-store" in shown["Cache-Control"] and "private" in shown["Cache-Control"]
    assert shown["Referrer-Policy"] == "no-referrer"
    item.refresh_from_db()
    assert item.status == Status.REVEALED and item.revealed_at is not None

    log = ContactAccessLog.objects.get()
    assert log.actor == officer and log.context == ContactAccessLog.Context.PRIVACY_OFFICER
    assert log.contact_ref == opinion.contact_ref and str(item.pk) in log.purpose
    assert audit_actions() == [
        AuditAction.IDENTITY_REQUEST,
        AuditAction.IDENTITY_APPROVE,
        AuditAction.IDENTITY_REVEAL,
    ]
    for entry in AuditEntry.objects.all():
        assert entry.detail["opinion"] == opinion.pk
        assert entry.consultation_id == opinion.consultation_id
        assert entry.object_id == str(item.pk)
    assert verify().ok


def test_no_contact_and_no_free_text_in_the_audit_chain_or_the_request_row(
    opinion, officer, second_officer
):
    item = ask(officer, opinion)
    services.identity_request_approve(user=second_officer, request=item, note="同意")
    shown = services.identity_request_reveal(user=officer, request=item)
    assert shown.contact == {"email": EMAIL, "phone": PHONE}
    stored = _database_text()
    assert EMAIL not in stored and PHONE not in stored
    audit = json.dumps(list(AuditEntry.objects.values("detail")), ensure_ascii=False)
    assert REASON not in audit and REFERENCE not in audit  # only their digest is chained
    assert services.text_digest(REFERENCE, REASON) in audit


# --- two people ---------------------------------------------------------------------------


def test_a_single_privacy_officer_cannot_approve_their_own_request(client, opinion, officer):
    item = ask(officer, opinion)
    with pytest.raises(PermissionDenied):
        services.identity_request_approve(user=officer, request=item)
    with pytest.raises(PermissionDenied):
        services.identity_request_refuse(user=officer, request=item, note="撤销")
    client.force_login(officer)
    url = reverse("feedback_privacy:identity_decide", args=[item.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 403
    page = client.get(reverse("feedback_privacy:identity_detail", args=[item.pk]))
    assert 'name="decision"' not in page.content.decode()
    # nor by reading the contact without the approval
    with pytest.raises(PermissionDenied):
        contact_read(submission=opinion, actor=officer, purpose="我自己批准")
    item.refresh_from_db()
    assert item.status == Status.PENDING
    assert ContactAccessLog.objects.count() == 0
    assert audit_actions() == [AuditAction.IDENTITY_REQUEST]


def test_the_database_refuses_a_decision_by_the_requester(opinion, officer):
    item = ask(officer, opinion)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        IdentityRequest.objects.filter(pk=item.pk).update(
            status=Status.APPROVED,
            decided_by=officer,
            decided_at=now,
            reveal_expires_at=now + timedelta(minutes=15),
        )


def test_a_privacy_officer_who_is_also_site_administrator_still_needs_someone_else(opinion):
    both = UserFactory.with_role(Role.PRIVACY_OFFICER)
    UserFactory._meta.model.objects.filter(pk=both.pk).update(is_superuser=True)
    both.refresh_from_db()
    item = ask(both, opinion)
    with pytest.raises(PermissionDenied):
        services.identity_request_approve(user=both, request=item)


def test_a_site_administrator_may_approve_but_never_sees_the_contact(
    client, opinion, officer, site_admin
):
    item = ask(officer, opinion)
    client.force_login(site_admin)
    assert client.get(reverse("feedback_privacy:identity_new")).status_code == 403
    url = reverse("feedback_privacy:identity_decide", args=[item.pk])
    assert client.post(url, {"decision": "approve"}).status_code == 302
    reveal = client.post(reverse("feedback_privacy:identity_reveal", args=[item.pk]))
    assert reveal.status_code == 403 and EMAIL not in reveal.content.decode()
    with pytest.raises(PermissionDenied):
        contact_read(submission=opinion, actor=site_admin, purpose="管理员查看")
    item.refresh_from_db()
    assert item.status == Status.APPROVED and item.revealed_at is None


def test_another_privacy_officer_decides_but_cannot_open_or_withdraw(
    client, opinion, officer, second_officer
):
    item = ask(officer, opinion)
    services.identity_request_approve(user=second_officer, request=item)
    client.force_login(second_officer)
    for name in ("identity_reveal", "identity_cancel"):
        response = client.post(reverse(f"feedback_privacy:{name}", args=[item.pk]))
        assert response.status_code == 403, name
        assert EMAIL not in response.content.decode()
    with pytest.raises(PermissionDenied):
        contact_read(submission=opinion, actor=second_officer, purpose="顺便看看")
    assert ContactAccessLog.objects.count() == 0


def test_approval_for_one_opinion_opens_no_other(open_consultation, officer, second_officer):
    first, other = opinion_with_contact(open_consultation), opinion_with_contact(open_consultation)
    services.identity_request_approve(user=second_officer, request=ask(officer, first))
    with pytest.raises(PermissionDenied):
        contact_read(submission=other, actor=officer, purpose="另一条")


# --- shown once, in a short window --------------------------------------------------------


def test_replaying_the_reveal_shows_nothing(client, opinion, officer, second_officer):
    item = ask(officer, opinion)
    services.identity_request_approve(user=second_officer, request=item)
    client.force_login(officer)
    url = reverse("feedback_privacy:identity_reveal", args=[item.pk])
    assert client.get(url).status_code == 405  # a link, a prefetch or a reload never shows it
    assert EMAIL in client.post(url).content.decode()
    again = client.post(url)
    assert again.status_code == 410
    assert EMAIL not in again.content.decode() and PHONE not in again.content.decode()
    with pytest.raises(PermissionDenied):
        contact_read(submission=opinion, actor=officer, purpose="再看一次")
    with pytest.raises(ValidationError):
        services.identity_request_reveal(user=officer, request=item)
    assert ContactAccessLog.objects.count() == 1
    assert audit_actions().count(AuditAction.IDENTITY_REVEAL) == 1


def test_an_approval_not_used_within_15_minutes_expires(client, opinion, officer, second_officer):
    item = ask(officer, opinion)
    approved_at = timezone.now() - timedelta(minutes=16)
    services.identity_request_approve(user=second_officer, request=item, now=approved_at)
    with pytest.raises(PermissionDenied):  # the window is checked by the read itself
        contact_read(submission=opinion, actor=officer, purpose="过期后")
    client.force_login(officer)
    response = client.post(reverse("feedback_privacy:identity_reveal", args=[item.pk]))
    assert response.status_code == 410 and EMAIL not in response.content.decode()
    item.refresh_from_db()
    assert item.status == Status.EXPIRED and item.revealed_at is None
    assert audit_actions()[-1] == AuditAction.IDENTITY_EXPIRE
    expire = AuditEntry.objects.filter(action=AuditAction.IDENTITY_EXPIRE).get()
    assert expire.actor is None and expire.detail == {"opinion": opinion.pk, "was": "approved"}
    assert ContactAccessLog.objects.count() == 0


def test_a_request_nobody_decides_expires_after_seven_days(opinion, officer, second_officer):
    item = ask(officer, opinion)
    later = timezone.now() + timedelta(days=7, minutes=1)
    assert services.identity_requests_expire(now=later) == 1
    with pytest.raises(ValidationError):
        services.identity_request_approve(user=second_officer, request=item, now=later)
    item.refresh_from_db()
    assert item.status == Status.EXPIRED
    assert audit_actions() == [AuditAction.IDENTITY_REQUEST, AuditAction.IDENTITY_EXPIRE]


def test_a_refused_request_reveals_nothing(client, opinion, officer, second_officer):
    item = ask(officer, opinion)
    client.force_login(second_officer)
    url = reverse("feedback_privacy:identity_decide", args=[item.pk])
    no_reason = client.post(url, {"decision": "refuse", "note": ""})
    assert no_reason.status_code == 400  # a refusal says why
    assert IdentityRequest.objects.get().status == Status.PENDING
    assert client.post(url, {"decision": "refuse", "note": "法律依据不足"}).status_code == 302
    with pytest.raises(ValidationError):
        services.identity_request_approve(user=second_officer, request=item)
    client.force_login(officer)
    response = client.post(reverse("feedback_privacy:identity_reveal", args=[item.pk]))
    assert response.status_code == 410 and EMAIL not in response.content.decode()
    with pytest.raises(PermissionDenied):
        contact_read(submission=opinion, actor=officer, purpose="被拒后")
    assert audit_actions() == [AuditAction.IDENTITY_REQUEST, AuditAction.IDENTITY_REFUSE]


def test_the_requester_may_withdraw_an_open_request(opinion, officer, second_officer):
    item = ask(officer, opinion)
    services.identity_request_cancel(user=officer, request=item)
    with pytest.raises(ValidationError):
        services.identity_request_approve(user=second_officer, request=item)
    assert audit_actions() == [AuditAction.IDENTITY_REQUEST, AuditAction.IDENTITY_CANCEL]
    ask(officer, opinion)  # a new request may follow


def test_one_open_request_per_officer_andopinion_with_contact(opinion, officer):
    ask(officer, opinion)
    with pytest.raises(ValidationError) as caught:
        ask(officer, opinion)
    assert "submission_id" in caught.value.error_dict
    assert IdentityRequest.objects.count() == 1
    assert audit_actions() == [AuditAction.IDENTITY_REQUEST]


def test_the_contact_deleted_after_approval_is_reported_not_invented(
    opinion, officer, second_officer
):
    item = ask(officer, opinion)
    services.identity_request_approve(user=second_officer, request=item)
    Contact.objects.filter(ref=opinion.contact_ref).delete()  # retention or the resident
    shown = services.identity_request_reveal(user=officer, request=item)
    assert shown.contact is None
    entry = AuditEntry.objects.filter(action=AuditAction.IDENTITY_REVEAL).get()
    assert entry.detail["contact_found"] is False
    assert ContactAccessLog.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_reveals_show_the_contact_once():
    """A double click on two connections: the row lock lets one read through, the other sees
    the request already shown."""
    import threading

    from consultations.tests.factories import published_consultation

    now = timezone.now()
    consultation = published_consultation(
        opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
    )
    officer = UserFactory.with_role(Role.PRIVACY_OFFICER)
    item = ask(officer, opinion_with_contact(consultation))
    services.identity_request_approve(
        user=UserFactory.with_role(Role.PRIVACY_OFFICER), request=item
    )
    barrier = threading.Barrier(3)
    shown, refused, errors = [], [], []

    def worker():
        try:
            barrier.wait()
            shown.append(services.identity_request_reveal(user=officer, request=item).contact)
        except ValidationError:
            refused.append(True)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert shown == [{"email": EMAIL, "phone": PHONE}] and len(refused) == 2
    assert ContactAccessLog.objects.count() == 1
    assert audit_actions().count(AuditAction.IDENTITY_REVEAL) == 1
