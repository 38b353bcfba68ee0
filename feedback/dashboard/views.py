"""The analysts' dashboard and the exports, in the Wagtail admin.

Who sees what (R53: any breakdown shown outside the analysts of the owning department hides
cells under 5):

==========================================  ===================  =========================
role                                        dashboard, aggregate  de-identified register
                                            exports               export (one row/opinion)
==========================================  ===================  =========================
analyst of the owning department            exact counts          yes
editor or approver of the owning department suppressed            no
analyst of another department               suppressed            no
site administrator                          suppressed            no
intake clerk, privacy officer, assessor,    none (403)            no
other staff
==========================================  ===================  =========================

Assessors have their own aggregate-only dashboard (feedback.risk). Every export, and every
download of a prepared export file, writes an ``AuditAction.EXPORT`` entry.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from consultations.models import Consultation
from consultations.roles import Role, is_site_admin, user_department_id, user_has_role
from feedback.analysis import aggregates, charts
from feedback.analysis.suppression import display
from feedback.exports import files
from feedback.models import StaffJob
from feedback.permissions import EXACT, analysis_access, analysis_consultation, can_see_any_analysis


def analysis_choose(request: HttpRequest) -> HttpResponse:
    if not can_see_any_analysis(request.user):
        raise PermissionDenied
    user = request.user
    consultations = Consultation.objects.published().filter(opens_at__lte=timezone.now())
    if not (is_site_admin(user) or user_has_role(user, Role.ANALYST)):
        consultations = consultations.filter(department_id=user_department_id(user))
    consultations = consultations.select_related("department").order_by("-opens_at")[:200]
    rows = [(c, analysis_access(user, c) == EXACT) for c in consultations]
    return TemplateResponse(request, "feedback/dashboard/admin/choose.html", {"rows": rows})


def analysis_dashboard(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation, access = analysis_consultation(request, consultation_id)
    suppressed = access != EXACT
    data = aggregates.dashboard(consultation, suppressed=suppressed)
    chart = {
        "channel": charts.bar_chart(data["channel"].title, data["channel"].as_rows()),
        "stance": charts.bar_chart(
            data["stance"].title,
            data["stance"].as_rows(),
            keys=[item.key for item in data["stance"].items],
        ),
        "affected": charts.bar_chart(data["affected"].title, data["affected"].as_rows()),
        "stance_affected": charts.stacked_bar_chart(
            data["stance_affected"].title, data["stance_affected"]
        ),
        "stance_theme": charts.stacked_bar_chart(data["stance_theme"].title, data["stance_theme"]),
        "alternatives": charts.stacked_bar_chart(data["alternatives"].title, data["alternatives"]),
        "over_time": charts.column_chart(data["over_time"].title, data["over_time"].as_rows()),
        "keywords": charts.bar_chart(data["keywords"].title, data["keywords"].as_rows()),
    }
    clauses = [
        (
            clause,
            charts.heat_swatch(
                clause.level, clause.total, f"{clause.number}: {display(clause.total)}"
            ),
        )
        for clause in data["clauses"].clauses
    ]
    context = {
        "consultation": consultation,
        "data": data,
        "chart": chart,
        "clauses": clauses,
        "heat_steps": [(i, charts.heat_swatch(i, None, str(i), text="")) for i in range(6)],
        "suppressed": suppressed,
        "can_export_register": not suppressed,
        "jobs": StaffJob.objects.filter(
            requested_by=request.user, consultation=consultation, kind=files.EXPORT_KIND
        )[:5],
    }
    return TemplateResponse(request, "feedback/dashboard/admin/dashboard.html", context)
