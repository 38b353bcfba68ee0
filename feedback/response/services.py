"""Write paths of the response: set a theme's disposition and publish the response.

Every action checks the user's authority, runs in one transaction and writes one audit entry.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Clause, Consultation, DraftVersion
from consultations.models.consultation import Stage
from consultations.services import consultation_set_stage
from feedback.audit.trail import record
from feedback.models import (
    AuditAction,
    ConsultationResponse,
    Disposition,
    Submission,
    SubmissionStatus,
    Theme,
    ThemeResponse,
)
from feedback.response.counts import response_totals
from feedback.response.permissions import can_respond
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
    if ConsultationResponse.objects.filter(
        consultation=consultation, published_at__isnull=False
    ).exists():
        raise ValidationError(_("The response has been published; dispositions are final."))
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


def response_publish(
    *,
    user,
    consultation: Consultation,
    summary: str = "",
    summary_en: str = "",
    draft_from: DraftVersion | None = None,
    draft_to: DraftVersion | None = None,
    now=None,
) -> ConsultationResponse:
    """Publish the response; refused while ``response_check`` lists problems.

    Stores the register's totals, moves the consultation to "response published", marks every
    opinion answered, writes the audit entry and, after commit, enqueues the notifications and
    the rendering of the PDF.
    """
    _require(user, consultation)
    _validate_versions(consultation, draft_from, draft_to)
    now = now or timezone.now()
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
        problems = response_check(consultation, summary=f"{summary}\n{summary_en}")
        if problems:
            raise ResponseNotReady(problems)
        counts = response_totals(consultation)
        response, _created = ConsultationResponse.objects.update_or_create(
            consultation=consultation,
            defaults={
                "summary": summary.strip(),
                "summary_en": summary_en.strip(),
                "draft_from": draft_from,
                "draft_to": draft_to,
                "published_at": now,
                "published_by": user,
                "counts": counts,
            },
        )
        # Raises ConsultationRuleError (a ValidationError) before the close.
        consultation_set_stage(consultation=consultation, stage=Stage.RESPONSE_PUBLISHED, user=user)
        answered = Submission.objects.filter(consultation=consultation).update(
            status=SubmissionStatus.ANSWERED
        )
        record(
            user,
            AuditAction.PUBLISH,
            consultation=consultation,
            obj=response,
            detail={"what": "response", "counts": counts, "answered": answered},
        )
        consultation_id = consultation.pk
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
