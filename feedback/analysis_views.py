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

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.views.decorators.http import require_POST

from consultations.models import Consultation
from consultations.roles import Role, is_site_admin, user_department_id, user_has_role

from . import exports
from .analysis import aggregates, charts
from .audit import record
from .models import AuditAction, StaffJob

EXACT = "exact"
SUPPRESSED = "suppressed"


def analysis_access(user, consultation) -> str | None:
    """``"exact"``, ``"suppressed"`` or None (no access), see the table above."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return None
    own_department = user_department_id(user) == consultation.department_id
    if own_department and user_has_role(user, Role.ANALYST):
        return EXACT
    if is_site_admin(user) or user_has_role(user, Role.ANALYST):
        return SUPPRESSED
    if own_department and (user_has_role(user, Role.EDITOR) or user_has_role(user, Role.APPROVER)):
        return SUPPRESSED
    return None


def can_see_any_analysis(user) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    return any(
        user_has_role(user, role)
        for role in (Role.ANALYST, Role.SITE_ADMIN, Role.EDITOR, Role.APPROVER)
    )


def can_export_register(user, consultation) -> bool:
    """Record-level (de-identified) data stays with the owning department's analysts."""
    return analysis_access(user, consultation) == EXACT


def _consultation_for(request: HttpRequest, consultation_id: int) -> tuple[Consultation, str]:
    consultation = get_object_or_404(Consultation.objects.published(), pk=consultation_id)
    access = analysis_access(request.user, consultation)
    if access is None:
        raise PermissionDenied
    return consultation, access


def analysis_choose(request: HttpRequest) -> HttpResponse:
    if not can_see_any_analysis(request.user):
        raise PermissionDenied
    user = request.user
    consultations = Consultation.objects.published().filter(opens_at__lte=timezone.now())
    if not (is_site_admin(user) or user_has_role(user, Role.ANALYST)):
        consultations = consultations.filter(department_id=user_department_id(user))
    consultations = consultations.select_related("department").order_by("-opens_at")[:200]
    rows = [(c, analysis_access(user, c) == EXACT) for c in consultations]
    return TemplateResponse(request, "feedback/admin/analysis/choose.html", {"rows": rows})


def analysis_dashboard(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation, access = _consultation_for(request, consultation_id)
    suppressed = access != EXACT
    data = aggregates.dashboard(consultation, suppressed=suppressed)
    chart = {
        "channel": charts.bar_chart(data["channel"].title, data["channel"].as_rows()),
        "stance": charts.bar_chart(data["stance"].title, data["stance"].as_rows()),
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
        (clause, charts.heat_swatch(clause.level, clause.total, f"{clause.number}"))
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
            requested_by=request.user, consultation=consultation, kind=exports.EXPORT_KIND
        )[:5],
    }
    return TemplateResponse(request, "feedback/admin/analysis/dashboard.html", context)


def _check_export(request, consultation, access, scope: str, fmt: str) -> None:
    if scope not in exports.SCOPES or fmt not in exports.FORMATS:
        raise Http404
    if scope == "register" and access != EXACT:
        raise PermissionDenied


def export_csv(request: HttpRequest, consultation_id: int, scope: str) -> HttpResponse:
    """Stream a CSV export as it is read from the database (no file, flat memory)."""
    consultation, access = _consultation_for(request, consultation_id)
    _check_export(request, consultation, access, scope, "csv")
    suppressed = access != EXACT
    with transaction.atomic():
        record(
            request.user,
            AuditAction.EXPORT,
            consultation=consultation,
            detail={"scope": scope, "format": "csv", "suppressed": suppressed, "via": "stream"},
        )
    if scope == "register":
        header, rows = exports.register_header(), exports.iter_register_rows(consultation)
    else:
        data = aggregates.dashboard(consultation, suppressed=suppressed)
        header, rows = exports.aggregate_header(), exports.iter_aggregate_rows(data)
    response = StreamingHttpResponse(
        exports.csv_stream(header, rows), content_type="text/csv; charset=utf-8"
    )
    filename = exports.export_filename(consultation, scope, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def export_start(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Queue an export task (XLSX, or a large CSV) and go to its progress page."""
    consultation, access = _consultation_for(request, consultation_id)
    scope = request.POST.get("scope", "register")
    fmt = request.POST.get("format", "xlsx")
    _check_export(request, consultation, access, scope, fmt)
    suppressed = access != EXACT
    with transaction.atomic():
        job = StaffJob.objects.create(
            kind=exports.EXPORT_KIND,
            consultation=consultation,
            requested_by=request.user,
            params={
                "scope": scope,
                "format": fmt,
                "suppressed": suppressed,
                "language": translation.get_language(),
            },
        )
        record(
            request.user,
            AuditAction.EXPORT,
            consultation=consultation,
            obj=job,
            detail={"scope": scope, "format": fmt, "suppressed": suppressed, "via": "task"},
        )
        transaction.on_commit(lambda: exports.run_export.enqueue(job.pk))
    return redirect("feedback_analysis:export_progress", job_id=job.pk)


def _own_job(request: HttpRequest, job_id: int) -> StaffJob:
    job = get_object_or_404(
        StaffJob.objects.select_related("consultation"), pk=job_id, kind=exports.EXPORT_KIND
    )
    # Only the person who asked for it, and only while they still have access.
    if job.requested_by_id != request.user.pk or job.consultation is None:
        raise Http404
    access = analysis_access(request.user, job.consultation)
    if access is None or (job.params.get("scope") == "register" and access != EXACT):
        raise PermissionDenied
    if access != EXACT and not job.params.get("suppressed", True):
        raise PermissionDenied
    return job


def export_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """A progress bar that reloads itself every 2 seconds (no JavaScript needed)."""
    job = _own_job(request, job_id)
    finished = job.status in (StaffJob.Status.DONE, StaffJob.Status.FAILED)
    response = TemplateResponse(
        request,
        "feedback/admin/analysis/export_progress.html",
        {"job": job, "consultation": job.consultation, "finished": finished},
    )
    if not finished:
        response["Refresh"] = "2"
    response["Cache-Control"] = "no-store"
    return response


def export_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    if job.status != StaffJob.Status.DONE or not job.result_file:
        raise Http404
    path = Path(job.result_file)
    if not path.is_file() or path.parent.resolve() != exports.export_dir().resolve():
        raise Http404
    with transaction.atomic():
        record(
            request.user,
            AuditAction.EXPORT,
            consultation=job.consultation,
            obj=job,
            detail={**{k: job.params.get(k) for k in ("scope", "format")}, "via": "download"},
        )
    fmt = job.params.get("format", "xlsx")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=exports.export_filename(job.consultation, job.params.get("scope", ""), fmt),
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if fmt == "xlsx"
            else "text/csv; charset=utf-8"
        ),
    )
