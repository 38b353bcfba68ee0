"""The export screens of the Wagtail admin: CSV streamed at once, XLSX prepared by a task
with a progress page. Every export and download writes an ``AuditAction.EXPORT`` entry.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import translation
from django.views.decorators.http import require_POST

from feedback.analysis import aggregates
from feedback.audit.trail import record
from feedback.exports import files
from feedback.exports import rows as export_rows
from feedback.models import AuditAction, StaffJob
from feedback.permissions import EXACT, analysis_access, analysis_consultation


def _check_export(request, consultation, access, scope: str, fmt: str) -> None:
    if scope not in files.SCOPES or fmt not in files.FORMATS:
        raise Http404
    if scope == "register" and access != EXACT:
        raise PermissionDenied


def export_csv(request: HttpRequest, consultation_id: int, scope: str) -> HttpResponse:
    """Stream a CSV export as it is read from the database (no file, flat memory)."""
    consultation, access = analysis_consultation(request, consultation_id)
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
        header, rows = export_rows.register_header(), export_rows.iter_register_rows(consultation)
    else:
        data = aggregates.dashboard(consultation, suppressed=suppressed)
        header, rows = export_rows.aggregate_header(), export_rows.iter_aggregate_rows(data)
    response = StreamingHttpResponse(
        export_rows.csv_stream(header, rows), content_type="text/csv; charset=utf-8"
    )
    filename = files.export_filename(consultation, scope, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def export_start(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Queue an export task (XLSX, or a large CSV) and go to its progress page."""
    consultation, access = analysis_consultation(request, consultation_id)
    scope = request.POST.get("scope", "register")
    fmt = request.POST.get("format", "xlsx")
    _check_export(request, consultation, access, scope, fmt)
    suppressed = access != EXACT
    with transaction.atomic():
        job = StaffJob.objects.create(
            kind=files.EXPORT_KIND,
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
        transaction.on_commit(lambda: files.run_export.enqueue(job.pk))
    return redirect("feedback_exports:progress", job_id=job.pk)


def _own_job(request: HttpRequest, job_id: int) -> StaffJob:
    job = get_object_or_404(
        StaffJob.objects.select_related("consultation"), pk=job_id, kind=files.EXPORT_KIND
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


def _progress_page(request: HttpRequest, job: StaffJob, status: int = 200) -> HttpResponse:
    expired = files.export_expired(job)
    finished = job.status in (StaffJob.Status.DONE, StaffJob.Status.FAILED)
    response = TemplateResponse(
        request,
        "feedback/exports/admin/progress.html",
        {
            "job": job,
            "consultation": job.consultation,
            "finished": finished,
            "expired": expired,
            "expires_at": None if expired else files.export_expires_at(job),
            "retention_hours": int(files.retention().total_seconds() // 3600),
            "failure": files.failure_message(job) if job.status == StaffJob.Status.FAILED else "",
        },
        status=status,
    )
    if not finished:
        response["Refresh"] = "2"
    response["Cache-Control"] = "no-store"
    return response


def export_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    """A progress bar that reloads itself every 2 seconds (no JavaScript needed); then the
    download link, why the export failed, or that it expired."""
    return _progress_page(request, _own_job(request, job_id))


def export_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    path = files.finished_file(job)
    if path is None:
        # Deleted after EXPORT_RETENTION_HOURS (or due to be): say so, with the way back.
        return _progress_page(request, job, status=410)
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
        filename=files.export_filename(job.consultation, job.params.get("scope", ""), fmt),
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if fmt == "xlsx"
            else "text/csv; charset=utf-8"
        ),
    )
