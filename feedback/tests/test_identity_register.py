"""The register of residents' privacy requests (access, correction, deletion …) received by phone
or letter, due 15 working days later on the consultations' working-day calendar.

Adversaries played: a late answer hidden by a calendar that ignores holidays and make-up working
days, a clerk writing the resident's details into the register, staff of other roles, and a
database reader looking for the receipt code the resident read out.
"""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext

import feedback.privacy.hooks  # noqa: F401  (registered by feedback/wagtail_hooks.py too)
from consultations.models import HolidayOverride
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.intake.services import OpinionData, submission_create
from feedback.models import AuditAction, AuditEntry, PrivacyRequest
from feedback.privacy import register

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 1)


def _record(officer, received_on, **overrides):
    fields = {
        "user": officer,
        "kind": PrivacyRequest.Kind.DELETION,
        "channel": PrivacyRequest.Channel.PHONE,
        "received_on": received_on,
        "summary": "来电要求删除其意见所留的联系方式。",
        "today": TODAY,
        **overrides,
    }
    return register.privacy_request_record(**fields)


def test_due_in_15_working_days_across_the_national_day_holiday(officer):
    # 2026-10-01 to 10-07 are holidays and Saturday 10-10 is a make-up working day: counting
    # weekdays only would say 10-21.
    entry = _record(officer, date(2026, 9, 30))
    assert entry.due_on == date(2026, 10, 27)
    audit = AuditEntry.objects.get(action=AuditAction.PRIVACY_REQUEST)
    assert audit.detail["due_on"] == "2026-10-27" and audit.actor == officer


def test_an_administrators_holiday_override_moves_the_due_day(officer):
    HolidayOverride.objects.create(date=date(2026, 10, 27), is_working_day=False, note="本地假日")
    assert _record(officer, date(2026, 9, 30)).due_on == date(2026, 10, 28)


def test_resident_details_are_refused_in_the_register(officer):
    with pytest.raises(ValidationError) as caught:
        _record(officer, date(2026, 11, 2), summary="张女士 13512345678 要求删除")
    assert "summary" in caught.value.error_dict
    with pytest.raises(ValidationError):
        _record(officer, date(2026, 12, 2))  # not yet received
    assert not PrivacyRequest.objects.exists() and not AuditEntry.objects.exists()


def test_the_receipt_code_read_out_is_checked_and_not_kept(client, officer, open_consultation):
    submission, _ = submission_create(
        consultation=open_consultation, data=OpinionData(stance="support"), token=uuid.uuid4()
    )
    client.force_login(officer)
    response = client.post(
        reverse("feedback_privacy:register_new"),
        {
            "kind": PrivacyRequest.Kind.ACCESS,
            "channel": PrivacyRequest.Channel.LETTER,
            "received_on": "2026-11-02",
            "opinion": submission.formatted_receipt.lower(),
            "summary": "来信要求查阅其意见。",
        },
    )
    entry = PrivacyRequest.objects.get()
    assert response.status_code == 302
    assert entry.submission == submission
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM feedback_privacyrequest")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM feedback_auditentry")
        rows += cursor.fetchall()
    stored = json.dumps(rows, default=str, ensure_ascii=False)
    assert submission.receipt not in stored
    bad = client.post(
        reverse("feedback_privacy:register_new"),
        {
            "kind": "access",
            "channel": "letter",
            "received_on": "2026-11-02",
            "opinion": "0000-0000-0000",
            "summary": "来信要求查阅。",
        },
    )
    assert bad.status_code == 400
    assert bad.context["form"].errors["opinion"] == [
        gettext("No opinion has this number or receipt code.")
    ]
    assert PrivacyRequest.objects.count() == 1


def test_answering_closes_the_request_once_and_says_if_late(client, officer):
    entry = _record(officer, date(2026, 9, 30))
    client.force_login(officer)
    url = reverse("feedback_privacy:register_detail", args=[entry.pk])
    page = client.get(url).content.decode()
    assert gettext("overdue") in page
    response = client.post(
        url, {"status": "answered", "closed_on": "2026-10-29", "outcome": "已删除并电话告知。"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == PrivacyRequest.Status.ANSWERED and entry.closed_by == officer
    last = AuditEntry.objects.filter(action=AuditAction.PRIVACY_REQUEST).last()
    assert last.detail["op"] == "answered" and last.detail["late"] is True
    with pytest.raises(ValidationError):
        register.privacy_request_close(
            user=officer, entry=entry, status="refused", outcome="再次关闭"
        )


def test_open_requests_come_first_the_earliest_due_first(client, officer):
    late = _record(officer, date(2026, 11, 20))
    early = _record(officer, date(2026, 11, 2))
    closed = _record(officer, date(2026, 10, 9))
    register.privacy_request_close(
        user=officer, entry=closed, status="answered", outcome="已答复", closed_on=TODAY
    )
    client.force_login(officer)
    response = client.get(reverse("feedback_privacy:register_list"))
    assert [e.pk for e in response.context["page_obj"]] == [early.pk, late.pk, closed.pk]


@pytest.mark.parametrize(
    "role", [Role.EDITOR, Role.APPROVER, Role.ANALYST, Role.INTAKE_CLERK, Role.ASSESSOR]
)
def test_staff_of_other_roles_cannot_see_or_keep_the_register(client, officer, role):
    entry = _record(officer, date(2026, 11, 2))
    user = UserFactory.with_role(role)
    client.force_login(user)
    for url in (
        reverse("feedback_privacy:register_list"),
        reverse("feedback_privacy:register_new"),
        reverse("feedback_privacy:register_detail", args=[entry.pk]),
    ):
        assert client.get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        _record(user, date(2026, 11, 2))


def test_site_administrators_read_the_register_but_do_not_keep_it(client, officer):
    entry = _record(officer, date(2026, 11, 2))
    client.force_login(UserFactory.with_role(Role.SITE_ADMIN))
    detail = reverse("feedback_privacy:register_detail", args=[entry.pk])
    assert client.get(detail).status_code == 200
    assert client.get(reverse("feedback_privacy:register_new")).status_code == 403
    response = client.post(
        detail, {"status": "answered", "closed_on": "2026-11-03", "outcome": "x"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == PrivacyRequest.Status.OPEN
