"""The assessor's dashboard in the Wagtail admin: aggregates only, and the level form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation
from feedback.risk.forms import AssessmentForm, MeasureFormSet
from feedback.risk.levels import LEVEL_DEFINITIONS, SOURCE
from feedback.risk.permissions import can_assess
from feedback.risk.selectors import assessment_for, dashboard
from feedback.risk.services import MeasureData, risk_assessment_record


def _require(request) -> None:
    if not can_assess(request.user):
        raise PermissionDenied


def risk_choose(request: HttpRequest) -> HttpResponse:
    _require(request)
    now = timezone.now()
    rows = [
        (c, c.status_at(now))
        for c in Consultation.objects.published()
        .filter(opens_at__lte=now)
        .select_related("department")
        .order_by("-opens_at")[:200]
    ]
    return TemplateResponse(request, "feedback/risk/admin/choose.html", {"rows": rows})


def _initial(assessment):
    if assessment is None:
        return {}, []
    form_initial = {
        "level": assessment.level,
        "reasons": assessment.reasons,
        "reasons_en": assessment.reasons_en,
        "disclose": assessment.disclose,
    }
    measures = [
        {
            "theme": m.theme_id,
            "concern": m.concern,
            "concern_en": m.concern_en,
            "measure": m.measure,
            "measure_en": m.measure_en,
        }
        for m in assessment.measures.all()
    ]
    return form_initial, measures


def risk_dashboard(request: HttpRequest, consultation_id: int) -> HttpResponse:
    _require(request)
    consultation = get_object_or_404(Consultation.objects.published(), pk=consultation_id)
    assessment = assessment_for(consultation)
    status = 200
    if request.method == "POST":
        form = AssessmentForm(request.POST)
        formset = MeasureFormSet(
            request.POST, prefix="m", form_kwargs={"consultation": consultation}
        )
        if form.is_valid() and formset.is_valid():
            measures = [
                MeasureData(
                    concern=f.cleaned_data["concern"],
                    measure=f.cleaned_data["measure"],
                    concern_en=f.cleaned_data["concern_en"],
                    measure_en=f.cleaned_data["measure_en"],
                    theme=f.cleaned_data["theme"],
                )
                for f in formset.forms
                if f.cleaned_data and f.cleaned_data.get("concern")
            ]
            try:
                risk_assessment_record(
                    user=request.user,
                    consultation=consultation,
                    level=form.cleaned_data["level"],
                    reasons=form.cleaned_data["reasons"],
                    reasons_en=form.cleaned_data["reasons_en"],
                    disclose=form.cleaned_data["disclose"],
                    measures=measures,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The assessment has been recorded."))
                return redirect("feedback_risk:dashboard", consultation_id=consultation.pk)
        status = 400
    else:
        initial, measures = _initial(assessment)
        form = AssessmentForm(initial=initial)
        formset = MeasureFormSet(
            initial=measures, prefix="m", form_kwargs={"consultation": consultation}
        )
    context = {
        "consultation": consultation,
        "data": dashboard(consultation),
        "assessment": assessment,
        "form": form,
        "formset": formset,
        "level_definitions": LEVEL_DEFINITIONS,
        "level_source": SOURCE,
    }
    return TemplateResponse(request, "feedback/risk/admin/dashboard.html", context, status=status)
