"""The assessor records the level, reasons and measures; a second person confirms (issue 13).

Nothing here computes a level (R34). A recorded level is a ``RiskAssessmentChange`` waiting for
confirmation; it counts (``RiskAssessment`` holds the confirmed values, and only they are
copied to the public page when disclosed) once a second assessor or a site administrator, never
its author, confirms it. They confirm or send it back with a comment; they never change it.
Every record, confirmation and return is kept in the history and written to the audit chain;
a disclosure, or its withdrawal, writes the public change log. See
docs/adr/0011-two-person-actions.md.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import ChangeLogEntry, Consultation
from consultations.services import change_log_record
from feedback.audit.trail import record
from feedback.models import (
    AuditAction,
    ConcernMeasure,
    RiskAssessment,
    RiskAssessmentChange,
    RiskLevel,
    Theme,
)
from feedback.risk.permissions import can_assess, can_confirm_assessment

MIN_RETURN_COMMENT_CHARS = 10
LEVEL_NAMES = {
    RiskLevel.HIGH: ("高风险", "high risk"),
    RiskLevel.MEDIUM: ("中风险", "medium risk"),
    RiskLevel.LOW: ("低风险", "low risk"),
}


@dataclass
class MeasureData:
    concern: str
    measure: str
    concern_en: str = ""
    measure_en: str = ""
    theme: Theme | None = None


def _measure_rows(measures) -> list[dict]:
    rows = []
    for m in measures:
        row = {k: (v or "").strip() for k, v in asdict(m).items() if k != "theme"}
        row["theme"] = m.theme.pk if m.theme is not None else None
        rows.append(row)
    return rows


@transaction.atomic
def risk_assessment_record(
    *,
    user,
    consultation: Consultation,
    level: str,
    reasons: str,
    reasons_en: str = "",
    disclose: bool = False,
    measures: list[MeasureData] = (),
) -> RiskAssessmentChange:
    """Record what the assessor decided, to be confirmed by a second person.

    ``level`` is the assessor's own choice from the form (or empty: not decided yet). A record
    still waiting for confirmation is replaced (kept in the history as superseded).
    """
    if not can_assess(user):
        raise PermissionDenied("Only the risk assessor records the assessment.")
    if level and level not in RiskLevel.values:
        raise ValidationError({"level": _("Choose one of the three levels.")})
    if level and not reasons.strip():
        raise ValidationError({"reasons": _("Give the written reasons for the level.")})
    if disclose and not level:
        raise ValidationError({"disclose": _("Record a level before disclosing it.")})
    for m in measures:
        if m.theme is not None and m.theme.consultation_id != consultation.pk:
            raise ValidationError(_("A concern's theme must belong to this consultation."))
    assessment, _created = RiskAssessment.objects.select_for_update().get_or_create(
        consultation=consultation
    )
    superseded = list(
        assessment.changes.filter(status=RiskAssessmentChange.Status.PENDING).values_list(
            "pk", flat=True
        )
    )
    assessment.changes.filter(pk__in=superseded).update(
        status=RiskAssessmentChange.Status.SUPERSEDED
    )
    change = RiskAssessmentChange.objects.create(
        assessment=assessment,
        level=level,
        previous_level=assessment.level,
        reasons=reasons.strip(),
        reasons_en=reasons_en.strip(),
        disclose=disclose,
        measures=_measure_rows(measures),
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    record(
        user,
        AuditAction.RISK,
        consultation=consultation,
        obj=change,
        detail={
            "level": level,
            "previous_level": assessment.level,
            "reasons": change.reasons,
            "disclose": disclose,
            "measures": len(change.measures),
            "status": "pending",
            "superseded": superseded,
        },
    )
    return change


def _pending(change: RiskAssessmentChange) -> RiskAssessmentChange:
    locked = (
        RiskAssessmentChange.objects.select_for_update()
        .select_related("assessment", "assessment__consultation")
        .get(pk=change.pk)
    )
    if locked.status != RiskAssessmentChange.Status.PENDING:
        raise ValidationError(_("This record has already been confirmed, sent back or replaced."))
    return locked


@transaction.atomic
def risk_assessment_confirm(*, user, change: RiskAssessmentChange) -> RiskAssessment:
    """A second assessor or a site administrator confirms the record: it counts from now on."""
    if not can_confirm_assessment(user, change):
        raise PermissionDenied("A second person, not the author, confirms the assessment.")
    assessment = RiskAssessment.objects.select_for_update().get(pk=change.assessment_id)
    change = _pending(change)
    consultation = assessment.consultation
    themes = {
        t.pk: t
        for t in Theme.objects.filter(
            consultation=consultation,
            pk__in=[m["theme"] for m in change.measures if m.get("theme")],
        )
    }
    measures = [
        MeasureData(
            concern=m["concern"],
            measure=m["measure"],
            concern_en=m.get("concern_en", ""),
            measure_en=m.get("measure_en", ""),
            theme=themes.get(m.get("theme")),
        )
        for m in change.measures
    ]
    now = timezone.now()
    was_disclosed = assessment.disclose
    assessment.level = change.level
    assessment.reasons = change.reasons
    assessment.reasons_en = change.reasons_en
    assessment.disclose = change.disclose
    assessment.recorded_by_id = change.recorded_by_id
    assessment.recorded_at = change.recorded_at
    assessment.confirmed_by = user
    assessment.confirmed_at = now
    assessment.save()
    assessment.measures.all().delete()
    ConcernMeasure.objects.bulk_create(
        ConcernMeasure(
            assessment=assessment,
            theme=m.theme,
            concern=m.concern,
            concern_en=m.concern_en,
            measure=m.measure,
            measure_en=m.measure_en,
            sort_order=i,
        )
        for i, m in enumerate(measures)
    )
    change.status = RiskAssessmentChange.Status.CONFIRMED
    change.decided_by = user
    change.decided_at = now
    change.save(update_fields=["status", "decided_by", "decided_at"])
    if change.disclose or was_disclosed:
        _copy_to_public(consultation, assessment, measures if change.disclose else None)
        _log_disclosure(consultation, assessment, user)
    record(
        user,
        AuditAction.RISK_CONFIRM,
        consultation=consultation,
        obj=change,
        detail={
            "level": change.level,
            "previous_level": change.previous_level,
            "disclose": change.disclose,
            "recorded_by": change.recorded_by_id,
        },
    )
    return assessment


@transaction.atomic
def risk_assessment_return(*, user, change: RiskAssessmentChange, comment: str):
    """The second person sends the record back with a comment; nothing counts from it."""
    if not can_confirm_assessment(user, change):
        raise PermissionDenied("A second person, not the author, sends the assessment back.")
    change = _pending(change)
    comment = (comment or "").strip()
    if len(comment) < MIN_RETURN_COMMENT_CHARS:
        raise ValidationError(
            {
                "comment": _("Say what must change, in at least %(count)s characters.")
                % {"count": MIN_RETURN_COMMENT_CHARS}
            }
        )
    change.status = RiskAssessmentChange.Status.RETURNED
    change.decided_by = user
    change.decided_at = timezone.now()
    change.decision_comment = comment
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    record(
        user,
        AuditAction.RISK_RETURN,
        consultation=change.assessment.consultation,
        obj=change,
        detail={"level": change.level, "comment": comment, "recorded_by": change.recorded_by_id},
    )
    return change


def _log_disclosure(consultation, assessment, user) -> None:
    if assessment.disclose and assessment.level:
        zh, en = LEVEL_NAMES[RiskLevel(assessment.level)]
        summary, summary_en = (
            f"公开社会稳定风险评估结论：{zh}，及主要风险防范化解措施。",
            f"Stability risk assessment disclosed: {en}, with the main mitigation measures.",
        )
    else:
        summary, summary_en = (
            "不再公开社会稳定风险评估等级和措施。",
            "The stability risk level and measures are no longer disclosed.",
        )
    change_log_record(
        consultation=consultation,
        type_=ChangeLogEntry.Type.STABILITY,
        summary=summary,
        summary_en=summary_en,
        user=user,
    )


def _copy_to_public(consultation, assessment, measures) -> None:
    """Write the disclosed level and measures to the consultation's public 稳评 fields.

    The row's ``updated_at`` is written too, so cached public pages are rebuilt (cms.page_cache
    keys on it). When disclosure is withdrawn, the copied values are cleared.
    """
    if measures is None:
        values = {"stability_level": "", "stability_measures": "", "stability_measures_en": ""}
    else:
        values = {
            "stability_level": assessment.level,
            "stability_measures": "\n".join(
                f"{m.concern.strip()}：{m.measure.strip()}" for m in measures
            ),
            "stability_measures_en": "\n".join(
                f"{(m.concern_en or m.concern).strip()}: {(m.measure_en or m.measure).strip()}"
                for m in measures
                if m.measure_en
            ),
        }
    Consultation.objects.filter(pk=consultation.pk).update(updated_at=timezone.now(), **values)
    # So that the next edit in the consultation editor does not put the old values back.
    from consultations.services import _store_in_revisions

    _store_in_revisions(Consultation.objects.get(pk=consultation.pk), **values)
    for name, value in values.items():
        setattr(consultation, name, value)
