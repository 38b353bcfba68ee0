"""Withdrawing or cancelling a published consultation takes two people (issue 13).

1. An approver of the consultation's department (or a site administrator) asks, with a written
   reason of at least ``MIN_REASON_CHARS`` characters: ``consultation_withdrawal_request``.
2. A second person, a site administrator or another approver of the same department, confirms
   (``consultation_withdrawal_confirm``: only now is the consultation unpublished) or refuses
   with a reason (``consultation_withdrawal_refuse``). The requester may withdraw the request
   while it waits (``consultation_withdrawal_retract``). The requester never decides: the check
   here and a database constraint both refuse it.

Every step writes the public change log (bilingual summary, the reason) and the audit chain
(through ``consultations.events``, in the same transaction). Wagtail's own unpublish is refused
by ``Consultation.unpublish`` unless a confirmation is running. See
docs/adr/0011-two-person-actions.md.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import WorkflowState

from consultations.events import audit_staff_action
from consultations.models import ChangeLogEntry, Consultation, WithdrawalRequest
from consultations.models.changelog import confirmed_withdrawal
from consultations.permissions import can_decide_withdrawal, can_request_withdrawal
from consultations.rules import ConsultationRuleError, RuleViolation
from consultations.services import change_log_record

MIN_REASON_CHARS = 15

ACTION_NAMES = {
    WithdrawalRequest.Action.UNPUBLISH: ("撤回发布", "withdraw from publication"),
    WithdrawalRequest.Action.CANCEL: ("取消征求意见", "cancel the consultation"),
}


def _reason_violation(field: str, text: str) -> RuleViolation | None:
    if len((text or "").strip()) >= MIN_REASON_CHARS:
        return None
    return RuleViolation(
        "reason_too_short",
        field,
        _("Give the reason in at least %(count)s characters; it is shown in the public change log.")
        % {"count": MIN_REASON_CHARS},
    )


def _raise(violations) -> None:
    violations = [v for v in violations if v is not None]
    if violations:
        raise ConsultationRuleError(violations)


def _not_pending() -> RuleViolation:
    return RuleViolation(
        "not_pending",
        "__all__",
        _("This request has already been decided or withdrawn."),
    )


def _audit(user, action: str, request: WithdrawalRequest, **detail) -> None:
    audit_staff_action(
        actor=user,
        action=action,
        consultation=request.consultation,
        obj=request,
        detail={"action": request.action, **detail},
    )


def _locked(request: WithdrawalRequest) -> tuple[WithdrawalRequest, Consultation]:
    consultation = Consultation.objects.select_for_update().get(pk=request.consultation_id)
    locked = WithdrawalRequest.objects.select_for_update().get(pk=request.pk)
    locked.consultation = consultation
    return locked, consultation


@transaction.atomic
def consultation_withdrawal_request(
    *, consultation: Consultation, user, action: str, reason: str, reason_en: str = ""
) -> WithdrawalRequest:
    """Ask for a published consultation to be withdrawn or cancelled; nothing is unpublished."""
    c = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not can_request_withdrawal(user, c):
        raise PermissionDenied("Only approvers of the department and site administrators ask.")
    violations = [_reason_violation("reason", reason)]
    if action not in WithdrawalRequest.Action.values:
        violations.append(
            RuleViolation("bad_action", "action", _("Choose one of the listed actions."))
        )
    if not c.live:
        violations.append(
            RuleViolation(
                "not_published",
                "__all__",
                _("Only a published consultation can be withdrawn or cancelled."),
            )
        )
    elif WithdrawalRequest.objects.filter(
        consultation=c, status=WithdrawalRequest.Status.PENDING
    ).exists():
        violations.append(
            RuleViolation(
                "already_pending",
                "__all__",
                _("A withdrawal request for this consultation is already waiting for a decision."),
            )
        )
    _raise(violations)
    request = WithdrawalRequest.objects.create(
        consultation=c,
        action=action,
        reason=reason.strip(),
        reason_en=(reason_en or "").strip(),
        requested_by=user,
    )
    zh, en = ACTION_NAMES[WithdrawalRequest.Action(action)]
    change_log_record(
        consultation=c,
        type_=ChangeLogEntry.Type.WITHDRAWAL_REQUESTED,
        summary=f"申请{zh}，待第二人确认。",
        summary_en=f"Asked to {en}; waiting for a second person to confirm.",
        reason=request.reason,
        user=user,
    )
    _audit(user, "withdraw_request", request, reason=request.reason)
    return request


@transaction.atomic
def consultation_withdrawal_confirm(*, request: WithdrawalRequest, user) -> WithdrawalRequest:
    """The second person confirms: the consultation is unpublished (or cancelled) now."""
    request, c = _locked(request)
    if not can_decide_withdrawal(user, request):
        raise PermissionDenied("The requester cannot confirm; a second person must.")
    if not request.is_pending:
        _raise([_not_pending()])
    if not c.live:
        _raise(
            [
                RuleViolation(
                    "not_published", "__all__", _("The consultation is no longer published.")
                )
            ]
        )
    now = timezone.now()
    request.status = WithdrawalRequest.Status.CONFIRMED
    request.decided_by = user
    request.decided_at = now
    request.save(update_fields=["status", "decided_by", "decided_at"])
    # A revision waiting for approval must not put the consultation back online by itself.
    for state in WorkflowState.objects.for_instance(c).filter(
        status__in=[WorkflowState.STATUS_IN_PROGRESS, WorkflowState.STATUS_NEEDS_CHANGES]
    ):
        state.cancel(user=user)
    with confirmed_withdrawal(request):
        c.unpublish(user=user)
    cancelled = request.action == WithdrawalRequest.Action.CANCEL
    change_log_record(
        consultation=c,
        type_=ChangeLogEntry.Type.CANCELLED if cancelled else ChangeLogEntry.Type.UNPUBLISHED,
        summary="本征求意见已取消，不再公开。" if cancelled else "本征求意见已撤回，不再公开。",
        summary_en="This consultation was cancelled and is no longer published."
        if cancelled
        else "This consultation was withdrawn from publication.",
        reason=request.reason,
        user=user,
    )
    _audit(user, "withdraw_confirm", request, requested_by=request.requested_by_id)
    return request


def _close(request, user, status, comment, *, log_type, summary, summary_en, audit_action):
    request.status = status
    request.decided_by = user
    request.decided_at = timezone.now()
    request.decision_comment = comment.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    change_log_record(
        consultation=request.consultation,
        type_=log_type,
        summary=summary,
        summary_en=summary_en,
        reason=request.decision_comment,
        user=user,
    )
    _audit(user, audit_action, request, comment=request.decision_comment)
    return request


@transaction.atomic
def consultation_withdrawal_refuse(
    *, request: WithdrawalRequest, user, comment: str
) -> WithdrawalRequest:
    """The second person refuses, with a reason; the consultation stays published."""
    request, _c = _locked(request)
    if not can_decide_withdrawal(user, request):
        raise PermissionDenied("The requester cannot refuse their own request; they withdraw it.")
    _raise([None if request.is_pending else _not_pending(), _reason_violation("comment", comment)])
    return _close(
        request,
        user,
        WithdrawalRequest.Status.REFUSED,
        comment,
        log_type=ChangeLogEntry.Type.WITHDRAWAL_REFUSED,
        summary="撤回申请未获确认，本征求意见继续公开。",
        summary_en="The withdrawal request was refused; the consultation stays published.",
        audit_action="withdraw_refuse",
    )


@transaction.atomic
def consultation_withdrawal_retract(
    *, request: WithdrawalRequest, user, comment: str
) -> WithdrawalRequest:
    """The requester withdraws their own request, with a reason."""
    request, _c = _locked(request)
    if getattr(user, "pk", None) != request.requested_by_id or not can_request_withdrawal(
        user, request.consultation
    ):
        raise PermissionDenied("Only the requester withdraws a request.")
    _raise([None if request.is_pending else _not_pending(), _reason_violation("comment", comment)])
    return _close(
        request,
        user,
        WithdrawalRequest.Status.RETRACTED,
        comment,
        log_type=ChangeLogEntry.Type.WITHDRAWAL_RETRACTED,
        summary="撤回申请已由申请人撤销，本征求意见继续公开。",
        summary_en="The withdrawal request was withdrawn by the requester; the consultation "
        "stays published.",
        audit_action="withdraw_retract",
    )
