"""Test helper: take a published consultation offline the only way there is (issue 13), a
withdrawal request by one approver of its department confirmed by another."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from consultations.roles import Role
from consultations.tests.factories import UserFactory

REASON = "上级机关要求暂缓该事项，须重新论证后再公开征求意见。"


def withdraw(consultation, *, action: str = "unpublish", reason: str = REASON):
    from consultations.withdrawals import (
        consultation_withdrawal_confirm,
        consultation_withdrawal_request,
    )

    asker, confirmer = (
        UserFactory.with_role(Role.APPROVER, department=consultation.department) for _ in range(2)
    )
    request = consultation_withdrawal_request(
        consultation=consultation, user=asker, action=action, reason=reason
    )
    consultation_withdrawal_confirm(request=request, user=confirmer)
    consultation.refresh_from_db()
    return request


def staff_client(user) -> Client:
    """A client signed in as ``user`` (the tests' sign-in counts as the second factor too)."""
    client = Client()
    client.force_login(user)
    return client


def refused(response) -> bool:
    """Wagtail's admin answers a PermissionDenied with a redirect to the dashboard; views of
    our own answer 403 or, where existence must not show, 404."""
    if response.status_code == 302:
        return response["Location"] == reverse("wagtailadmin_home")
    return response.status_code in (403, 404)
