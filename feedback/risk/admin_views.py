"""The assessor's dashboard in the Wagtail admin: aggregates only, the level form, the second
person's confirmation, and the history of recorded levels (issue 13)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation
from feedback.risk.forms import AssessmentForm, MeasureFormSet, ReturnForm
from feedback.risk.levels import LEVEL_DEFINITIONS, OUTLINE_DOCUMENT, SOURCE_DOCUMENT
from feedback.risk.permissions import can_assess, can_confirm_assessment, can_see_risk_history
from feedback.risk.selectors import assessment_for, change_history, dashboard, pending_change
from feedback.risk.services import (
    MeasureData,
    risk_assessment_confirm,
    risk_assessment_record,
    risk_assessment_return,
)


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


def _initial_pending(change):
    """The form shows the record waiting for confirmation, so its author can correct it."""
    form_initial = {
        "level": change.level,
        "reasons": change.reasons,
        "reasons_en": change.reasons_en,
        "disclose": change.disclose,
    }
    fields = ("theme", "concern", "concern_en", "measure", "measure_en")
    return form_initial, [{k: m.get(k) for k in fields} for m in change.measures]


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
                messages.success(
                    request,
                    _(
                        "The assessment has been recorded. It counts once another assessor or "
                        "a site administrator confirms it."
                    ),
                )
                return redirect("feedback_risk:dashboard", consultation_id=consultation.pk)
        status = 400
    else:
        waiting = pending_change(consultation)
        initial, measures = _initial_pending(waiting) if waiting else _initial(assessment)
        form = AssessmentForm(initial=initial)
        formset = MeasureFormSet(
            initial=measures, prefix="m", form_kwargs={"consultation": consultation}
        )
    pending = pending_change(consultation)
    context = {
        "consultation": consultation,
        "data": dashboard(consultation),
        "assessment": assessment,
        "form": form,
        "formset": formset,
        "pending": pending,
        "may_confirm": pending is not None and can_confirm_assessment(request.user, pending),
        "return_form": ReturnForm(),
        "level_definitions": LEVEL_DEFINITIONS,
        "level_source": SOURCE_DOCUMENT,
        "level_outline": OUTLINE_DOCUMENT,
    }
    return TemplateResponse(request, "feedback/risk/admin/dashboard.html", context, status=status)


def risk_decide(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """POST: the second person confirms (``decision=confirm``) or sends back the pending record."""
    _require(request)
    consultation = get_object_or_404(Consultation.objects.published(), pk=consultation_id)
    if request.method != "POST":
        return redirect("feedback_risk:dashboard", consultation_id=consultation.pk)
    pending = pending_change(consultation)
    if pending is None or str(pending.pk) != request.POST.get("change"):
        messages.error(request, _("This record has already been confirmed, sent back or replaced."))
        return redirect("feedback_risk:dashboard", consultation_id=consultation.pk)
    if not can_confirm_assessment(request.user, pending):
        raise PermissionDenied
    try:
        if request.POST.get("decision") == "confirm":
            risk_assessment_confirm(user=request.user, change=pending)
            messages.success(request, _("Confirmed: this level now counts."))
        else:
            form = ReturnForm(request.POST)
            comment = form.data.get("comment", "")
            risk_assessment_return(user=request.user, change=pending, comment=comment)
            messages.success(request, _("Sent back with your comment."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("feedback_risk:dashboard", consultation_id=consultation.pk)
    return redirect("feedback_risk:dashboard", consultation_id=consultation.pk)


def risk_history(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Every recorded level with who, when, the level before and after, the reasons and what
    became of it: for the assessors, site administrators and the department's approvers."""
    consultation = get_object_or_404(Consultation.objects.published(), pk=consultation_id)
    if not can_see_risk_history(request.user, consultation):
        raise PermissionDenied
    context = {"consultation": consultation, "changes": list(change_history(consultation))}
    return TemplateResponse(request, "feedback/risk/admin/history.html", context)
