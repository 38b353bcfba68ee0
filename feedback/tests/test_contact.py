"""Contact details: encrypted at rest, apart from opinions, readable by two callers only."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction

from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.intake.services import OpinionData, submission_create
from feedback.models import Contact, ContactAccessLog, Submission
from feedback.privacy.contacts import REPLY_SENDER, contact_read

pytestmark = pytest.mark.django_db

EMAIL = "zhang.san@example.org"
PHONE = "13912345678"


@pytest.fixture
def with_contact(open_consultation):
    submission, _ = submission_create(
        consultation=open_consultation,
        data=OpinionData(stance="oppose", contact_email=EMAIL, contact_phone=PHONE),
        token=uuid.uuid4(),
    )
    return submission


def test_contact_is_encrypted_at_rest_and_not_on_the_submission(with_contact):
    with connection.cursor() as cursor:
        cursor.execute("SELECT ref, ciphertext FROM feedback_contact")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM feedback_submission")
        submission_row = " ".join(str(v) for v in cursor.fetchone())
    assert len(rows) == 1
    ref, ciphertext = rows[0]
    assert EMAIL not in ciphertext and PHONE not in ciphertext
    assert EMAIL not in submission_row and PHONE not in submission_row
    assert str(with_contact.pk) != ref and len(ref) >= 40  # a random key, not the id
    assert with_contact.contact_ref == ref


def test_submission_has_no_identity_fields():
    names = {f.name for f in Submission._meta.get_fields()}
    for banned in ("ip", "ip_address", "user_agent", "fingerprint", "email", "phone", "name"):
        assert banned not in names


@pytest.mark.parametrize(
    "role",
    [Role.EDITOR, Role.APPROVER, Role.ANALYST, Role.INTAKE_CLERK, Role.ASSESSOR, Role.SITE_ADMIN],
)
def test_staff_roles_other_than_privacy_officer_cannot_read_contact(with_contact, role):
    user = UserFactory.with_role(role)
    with pytest.raises(PermissionDenied):
        contact_read(submission=with_contact, actor=user, purpose="curious")
    assert ContactAccessLog.objects.count() == 0


def test_superuser_without_the_role_cannot_read_contact(with_contact):
    user = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        contact_read(submission=with_contact, actor=user, purpose="curious")


def test_privacy_officer_reads_contact_only_after_a_second_persons_approval(with_contact):
    from feedback.privacy import services

    officer = UserFactory.with_role(Role.PRIVACY_OFFICER)
    with pytest.raises(PermissionDenied):  # alone, an officer reads nothing (issue 12)
        contact_read(submission=with_contact, actor=officer, purpose="data-subject request #12")
    request = services.identity_request_create(
        user=officer,
        submission_id=with_contact.pk,
        legal_basis="subject_request",
        legal_reference="《个人信息保护法》第四十五条",
        reason="居民来信要求查阅",
    )
    services.identity_request_approve(
        user=UserFactory.with_role(Role.PRIVACY_OFFICER), request=request
    )
    contact = contact_read(
        submission=with_contact, actor=officer, purpose="data-subject request #12"
    )
    assert contact == {"email": EMAIL, "phone": PHONE}
    entry = ContactAccessLog.objects.get()
    assert entry.actor == officer
    assert entry.context == ContactAccessLog.Context.PRIVACY_OFFICER
    assert entry.contact_ref == with_contact.contact_ref
    assert entry.purpose == "data-subject request #12"


def test_reply_sender_reads_contact_and_the_read_is_logged(with_contact):
    contact = contact_read(submission=with_contact, actor=REPLY_SENDER, purpose="send reply")
    assert contact["email"] == EMAIL
    entry = ContactAccessLog.objects.get()
    assert entry.actor is None and entry.context == ContactAccessLog.Context.REPLY_SENDER


def test_access_log_refuses_update_and_delete_in_the_database(with_contact):
    contact_read(submission=with_contact, actor=REPLY_SENDER, purpose="send reply")
    with pytest.raises(DatabaseError), transaction.atomic():
        ContactAccessLog.objects.update(purpose="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        ContactAccessLog.objects.all().delete()
    assert ContactAccessLog.objects.get().purpose == "send reply"


def test_contact_table_has_no_admin_permissions():
    assert Contact._meta.default_permissions == ()
