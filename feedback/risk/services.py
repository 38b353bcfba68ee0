"""The assessor records the level, reasons and measures. Nothing here computes a level (R34)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Consultation
from feedback.audit.trail import record
from feedback.models import AuditAction, ConcernMeasure, RiskAssessment, RiskLevel, Theme
from feedback.risk.permissions import can_assess


@dataclass
class MeasureData:
    concern: str
    measure: str
    concern_en: str = ""
    measure_en: str = ""
    theme: Theme | None = None


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
) -> RiskAssessment:
    """Store what the assessor decided; copy level and measures to the public page if disclosed.

    ``level`` is the assessor's own choice from the form (or empty: not decided yet).
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
    was_disclosed = assessment.disclose
    assessment.level = level
    assessment.reasons = reasons.strip()
    assessment.reasons_en = reasons_en.strip()
    assessment.disclose = disclose
    assessment.recorded_by = user
    assessment.recorded_at = timezone.now()
    assessment.save()
    assessment.measures.all().delete()
    ConcernMeasure.objects.bulk_create(
        ConcernMeasure(
            assessment=assessment,
            theme=m.theme,
            concern=m.concern.strip(),
            concern_en=m.concern_en.strip(),
            measure=m.measure.strip(),
            measure_en=m.measure_en.strip(),
            sort_order=i,
        )
        for i, m in enumerate(measures)
    )
    if disclose or was_disclosed:
        _copy_to_public(consultation, assessment, list(measures) if disclose else None)
    record(
        user,
        AuditAction.RISK,
        consultation=consultation,
        obj=assessment,
        detail={"level": level, "disclose": disclose, "measures": len(measures)},
    )
    return assessment


def _copy_to_public(consultation, assessment, measures) -> None:
    """Write the disclosed level and measures to the consultation's public 稳评 fields.

    There is no public consultations service for these fields; the row's ``updated_at`` is written
    too, so cached public pages are rebuilt (cms.page_cache keys on it). When disclosure is
    withdrawn, the copied values are cleared.
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
