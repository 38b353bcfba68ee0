"""What the identity look-up tests share: an opinion with a contact, a request, the audit trail."""

from __future__ import annotations

import uuid

from feedback.intake.services import OpinionData, submission_create
from feedback.models import AuditEntry, IdentityRequest
from feedback.privacy import services

EMAIL = "li.si.2026@example.org"
PHONE = "13712345678"
BASIS = IdentityRequest.LegalBasis.AUTHORITY_DEMAND
REFERENCE = "《刑事诉讼法》第五十四条；调取证据通知书 示公(刑)调证字〔2026〕7号"
REASON = "公安机关依法调取该条意见作者的联系方式。"


def opinion_with_contact(
    consultation, *, contact=True, comment="这条意见的原文不应出现在任何隐私页面。"
):
    submission, _ = submission_create(
        consultation=consultation,
        data=OpinionData(
            stance="oppose",
            comment=comment,
            contact_email=EMAIL if contact else "",
            contact_phone=PHONE if contact else "",
        ),
        token=uuid.uuid4(),
    )
    return submission


def ask(officer, submission, **overrides) -> IdentityRequest:
    fields = {
        "user": officer,
        "submission_id": submission.pk,
        "legal_basis": BASIS,
        "legal_reference": REFERENCE,
        "reason": REASON,
        **overrides,
    }
    return services.identity_request_create(**fields)


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
