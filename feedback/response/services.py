"""Write paths of the response: dispositions, submission, approval (publication), return.

Two people publish a response (issue 13): an editor or approver of the department submits it
(``response_submit``); an approver of the department or a site administrator who did not submit
it approves it (``response_approve``, which publishes it and then notifies residents) or sends
it back with a comment (``response_return``). Dispositions can change only while nothing is
waiting for approval. Every action checks the user's authority, runs in one transaction and
writes the audit chain and the public change log. See docs/adr/0011-two-person-actions.md.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import ChangeLogEntry, Clause, Consultation, DraftVersion
from consultations.models.consultation import Stage
from consultations.services import change_log_record, consultation_set_stage
from feedback.audit.trail import record
from feedback.models import (
    AuditAction,
    ConsultationResponse,
    Disposition,
    Phase,
    ResponseStatus,
    Submission,
    SubmissionStatus,
    Theme,
    ThemeResponse,
)
from feedback.response.counts import response_totals
from feedback.response.permissions import can_approve_response, can_respond
from feedback.response.selectors import consulted_version, response_check


class ResponseNotReady(Exception):
    """Publishing was refused; ``problems`` lists what blocks it."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(str(p.message) for p in problems))


def _require(user, consultation: Consultation) -> None:
    if not can_respond(user, consultation):
        raise PermissionDenied("Only the owning department's editors and approvers respond.")


@transaction.atomic
def disposition_set(
    *,
    user,
    theme: Theme,
    disposition: str,
    reason: str = "",
    reason_en: str = "",
    changed_clauses=(),
) -> ThemeResponse:
    """Set (or change) the disposition of ``theme``; a reason is required unless adopted."""
    consultation = theme.consultation
    _require(user, consultation)
    # Serialised with submission and approval, which lock the same row.
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    if disposition not in Disposition.values:
        raise ValidationError({"disposition": _("Choose one of the listed dispositions.")})
    reason, reason_en = (reason or "").strip(), (reason_en or "").strip()
    if disposition != Disposition.ADOPTED and not reason:
        raise ValidationError(
            {"reason": _("Give the reason: it is required unless the theme is adopted.")}
        )
    clauses = list(changed_clauses)
    clause_ids = [getattr(c, "pk", c) for c in clauses]
    if clause_ids:
        base = consulted_version(consultation)
        valid = Clause.objects.filter(
            pk__in=clause_ids,
            version__consultation=consultation,
            version__number__gt=base.number if base else 0,
        ).count()
        if valid != len(set(clause_ids)):
            raise ValidationError(
                {
                    "changed_clauses": _(
                        "Changed clauses must belong to a newer draft version of this consultation."
                    )
                }
            )
    status = (
        ConsultationResponse.objects.filter(consultation=consultation)
        .values_list("status", flat=True)
        .first()
    )
    if status == ResponseStatus.PUBLISHED:
        raise ValidationError(_("The response has been published; dispositions are final."))
    if status == ResponseStatus.SUBMITTED:
        raise ValidationError(
            _(
                "The response is waiting for approval; dispositions can change again only if "
                "the approver sends it back."
            )
        )
    answer, _created = ThemeResponse.objects.update_or_create(
        theme=theme,
        defaults={
            "disposition": disposition,
            "reason": reason,
            "reason_en": reason_en,
            "updated_by": user,
        },
    )
    answer.changed_clauses.set(clause_ids)
    record(
        user,
        AuditAction.DISPOSITION,
        consultation=consultation,
        obj=answer,
        detail={
            "theme": theme.pk,
            "disposition": disposition,
            "reason": reason,
            "changed_clauses": sorted(clause_ids),
        },
    )
    return answer


def _validate_versions(consultation, draft_from, draft_to) -> None:
    for version in (draft_from, draft_to):
        if version is not None and version.consultation_id != consultation.pk:
            raise ValidationError(_("The draft versions must belong to this consultation."))
    if draft_from and draft_to and draft_from.number >= draft_to.number:
        raise ValidationError(_("The revised draft must be newer than the draft consulted on."))


MIN_RETURN_COMMENT_CHARS = 10


def _fingerprint(consultation: Consultation, response: ConsultationResponse) -> str:
    """Digest of what is submitted: every disposition, its reasons and changed clauses, the
    summary and the draft versions. Approval publishes only what still has this digest."""
    answers = [
        (
            a.theme_id,
            a.disposition,
            a.reason,
            a.reason_en,
            sorted(a.changed_clauses.values_list("pk", flat=True)),
        )
        for a in ThemeResponse.objects.filter(theme__consultation=consultation).order_by("theme_id")
    ]
    payload = [
        answers,
        response.summary,
        response.summary_en,
        response.draft_from_id,
        response.draft_to_id,
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def _not_closed(consultation: Consultation) -> None:
    if consultation.closes_at is None or consultation.closes_at > timezone.now():
        raise ValidationError(
            _("The response can be submitted only after the consultation has closed.")
        )


def _log(consultation, type_, summary, summary_en, *, user, reason="") -> None:
    change_log_record(
        consultation=consultation,
        type_=type_,
        summary=summary,
        summary_en=summary_en,
        reason=reason,
        user=user,
    )


def response_submit(
    *,
    user,
    consultation: Consultation,
    summary: str = "",
    summary_en: str = "",
    draft_from: DraftVersion | None = None,
    draft_to: DraftVersion | None = None,
    now=None,
) -> ConsultationResponse:
    """Submit the response for approval; refused while ``response_check`` lists problems.

    Nothing is public yet and nobody is notified. Dispositions are locked until an approver
    sends it back (``response_return``) or approves it (``response_approve``).
    """
    _require(user, consultation)
    _validate_versions(consultation, draft_from, draft_to)
    now = now or timezone.now()
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        existing = ConsultationResponse.objects.filter(consultation=consultation).first()
        if existing is not None and existing.status == ResponseStatus.SUBMITTED:
            raise ValidationError(_("The response is already waiting for approval."))
        problems = response_check(consultation, summary=f"{summary}\n{summary_en}")
        if problems:
            raise ResponseNotReady(problems)
        _not_closed(consultation)
        response, _created = ConsultationResponse.objects.update_or_create(
            consultation=consultation,
            defaults={
                "summary": summary.strip(),
                "summary_en": summary_en.strip(),
                "draft_from": draft_from,
                "draft_to": draft_to,
                "status": ResponseStatus.SUBMITTED,
                "submitted_by": user,
                "submitted_at": now,
            },
        )
        response.fingerprint = _fingerprint(consultation, response)
        response.save(update_fields=["fingerprint"])
        _log(
            consultation,
            ChangeLogEntry.Type.RESPONSE_SUBMITTED,
            "意见采纳情况说明已提交本单位审核。",
            "The response to opinions was submitted for approval within the department.",
            user=user,
        )
        record(
            user,
            AuditAction.RESPONSE_SUBMIT,
            consultation=consultation,
            obj=response,
            detail={"fingerprint": response.fingerprint},
        )
    return response


def _submitted(consultation: Consultation) -> ConsultationResponse:
    response = (
        ConsultationResponse.objects.select_for_update().filter(consultation=consultation).first()
    )
    if response is None or response.status != ResponseStatus.SUBMITTED:
        raise ValidationError(_("There is no response waiting for approval."))
    return response


def _require_approver(user, consultation, response) -> None:
    if not can_approve_response(user, consultation, response):
        raise PermissionDenied(
            "Only an approver of the department who did not submit the response approves it."
        )


def response_return(*, user, consultation: Consultation, comment: str) -> ConsultationResponse:
    """Send the submitted response back with a comment; dispositions can be changed again."""
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        response = _submitted(consultation)
        _require_approver(user, consultation, response)
        comment = (comment or "").strip()
        if len(comment) < MIN_RETURN_COMMENT_CHARS:
            raise ValidationError(
                {
                    "comment": _("Say what must change, in at least %(count)s characters.")
                    % {"count": MIN_RETURN_COMMENT_CHARS}
                }
            )
        response.status = ResponseStatus.RETURNED
        response.returned_by = user
        response.returned_at = timezone.now()
        response.return_comment = comment
        response.save(update_fields=["status", "returned_by", "returned_at", "return_comment"])
        _log(
            consultation,
            ChangeLogEntry.Type.RESPONSE_RETURNED,
            "意见采纳情况说明已退回修改。",
            "The response to opinions was sent back for changes.",
            user=user,
            reason=comment,
        )
        record(
            user,
            AuditAction.RESPONSE_RETURN,
            consultation=consultation,
            obj=response,
            detail={"comment": comment, "submitted_by": response.submitted_by_id},
        )
    return response


def response_approve(*, user, consultation: Consultation, now=None) -> ConsultationResponse:
    """An approver who did not submit it approves the response, which publishes it.

    Stores the register's totals, moves the consultation to "response published", marks every
    opinion answered, writes the audit entries and the change log and, after commit, enqueues
    the notifications and the rendering of the PDF. Refused when what was submitted changed
    since (the fingerprint) or when ``response_check`` finds a problem now.
    """
    now = now or timezone.now()
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        response = _submitted(consultation)
        _require_approver(user, consultation, response)
        if response.fingerprint != _fingerprint(consultation, response):
            raise ValidationError(
                _("The response changed after it was submitted; it must be submitted again.")
            )
        problems = response_check(
            consultation, summary=f"{response.summary}\n{response.summary_en}"
        )
        if problems:
            raise ResponseNotReady(problems)
        counts = response_totals(consultation)
        response.status = ResponseStatus.PUBLISHED
        response.published_at = now
        response.published_by = user
        response.counts = counts
        response.save(update_fields=["status", "published_at", "published_by", "counts"])
        _log(
            consultation,
            ChangeLogEntry.Type.RESPONSE_APPROVED,
            "意见采纳情况说明经本单位审核同意后公布。",
            "The response to opinions was approved within the department and published.",
            user=user,
        )
        # Raises ConsultationRuleError (a ValidationError) before the close.
        consultation_set_stage(consultation=consultation, stage=Stage.RESPONSE_PUBLISHED, user=user)
        answered = Submission.objects.filter(
            consultation=consultation, phase=Phase.CONSULTATION
        ).update(status=SubmissionStatus.ANSWERED)
        record(
            user,
            AuditAction.RESPONSE_APPROVE,
            consultation=consultation,
            obj=response,
            detail={"submitted_by": response.submitted_by_id, "fingerprint": response.fingerprint},
        )
        record(
            user,
            AuditAction.PUBLISH,
            consultation=consultation,
            obj=response,
            detail={"what": "response", "counts": counts, "answered": answered},
        )
        consultation_id = consultation.pk
        # Residents hear of it only now, after the approval has committed.
        transaction.on_commit(lambda: _after_publish(consultation_id))
    return response


def _after_publish(consultation_id: int) -> None:
    from feedback.response.tasks import notify_response, render_response_pdfs

    notify_response.enqueue(consultation_id)
    render_response_pdfs.enqueue(consultation_id)


def notifications_retry(*, user, consultation: Consultation, now=None) -> int:
    """Queue again the notifications that failed (also those still waiting for their next
    attempt, and opinions with a contact that have none yet) and send them now; returns how
    many were queued. Only after the response is published."""
    from feedback.response.notify import notifications_queue_again
    from feedback.response.tasks import notify_response

    _require(user, consultation)
    now = now or timezone.now()
    with transaction.atomic():
        if not ConsultationResponse.objects.filter(
            consultation=consultation, published_at__isnull=False
        ).exists():
            raise ValidationError(_("Notifications are sent only after the response is published."))
        queued = notifications_queue_again(consultation.pk, now=now)
        record(
            user,
            AuditAction.PUBLISH,
            consultation=consultation,
            detail={"what": "notifications_retry", "notifications": queued},
        )
        consultation_id = consultation.pk
        if queued:
            transaction.on_commit(lambda: notify_response.enqueue(consultation_id))
    return queued
