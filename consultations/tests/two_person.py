"""Test helper: take a published consultation offline the only way there is (issue 13), a
withdrawal request by one approver of its department confirmed by another."""

from __future__ import annotations

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
