"""The dossier screens: start (POST, queues the task), progress (reloads itself, no JavaScript)
and download, only for the person who asked and while they may still export. Each start and
download is an ``AuditAction.EXPORT`` entry."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from consultations.models import Consultation
from feedback.audit.trail import record
from feedback.dossier.permissions import can_export_dossier, may_export_some_dossier
from feedback.dossier.tasks import DOSSIER_KIND, run_dossier
from feedback.exports import files
from feedback.models import AuditAction, StaffJob


def _consultation(request, consultation_id: int) -> Consultation:
    consultation = get_object_or_404(Consultation.objects.published(), pk=consultation_id)
    if not can_export_dossier(request.user, consultation):
        raise PermissionDenied
    return consultation


def dossier_choose(request: HttpRequest) -> HttpResponse:
    """The consultations whose dossier the user may export (their department's, published)."""
    rows = [
        c
        for c in Consultation.objects.published()
        .select_related("department")
        .order_by("-opens_at")[:300]
        if can_export_dossier(request.user, c)
    ]
    if not rows and not may_export_some_dossier(request.user):
        raise PermissionDenied
    return TemplateResponse(request, "feedback/dossier/admin/choose.html", {"rows": rows})


def dossier_page(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    jobs = StaffJob.objects.filter(
        kind=DOSSIER_KIND, consultation=consultation, requested_by=request.user
    ).order_by("-pk")[:5]
    return TemplateResponse(
        request, "feedback/dossier/admin/page.html", {"consultation": consultation, "jobs": jobs}
    )


@require_POST
def dossier_start(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    with transaction.atomic():
        job = StaffJob.objects.create(
            kind=DOSSIER_KIND, consultation=consultation, requested_by=request.user, params={}
        )
        record(
            request.user,
            AuditAction.EXPORT,
            consultation=consultation,
            obj=job,
            detail={"scope": "dossier", "format": "zip", "via": "task"},
        )
        transaction.on_commit(lambda: run_dossier.enqueue(job.pk))
    return redirect("feedback_dossier:progress", job_id=job.pk)


def _own_job(request, job_id: int) -> StaffJob:
    job = get_object_or_404(
        StaffJob.objects.select_related("consultation"), pk=job_id, kind=DOSSIER_KIND
    )
    if job.requested_by_id != request.user.pk or job.consultation is None:
        raise Http404
    if not can_export_dossier(request.user, job.consultation):
        raise PermissionDenied
    return job


def _progress(request, job: StaffJob, status: int = 200) -> HttpResponse:
    expired = files.export_expired(job, timezone.now())
    finished = job.status in (StaffJob.Status.DONE, StaffJob.Status.FAILED)
    response = TemplateResponse(
        request,
        "feedback/dossier/admin/progress.html",
        {
            "job": job,
            "consultation": job.consultation,
            "finished": finished,
            "expired": expired,
            "expires_at": None if expired else files.export_expires_at(job),
            "failure": files.failure_message(job) if job.status == StaffJob.Status.FAILED else "",
        },
        status=status,
    )
    if not finished:
        response["Refresh"] = "2"
    response["Cache-Control"] = "no-store"
    return response


def dossier_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    return _progress(request, _own_job(request, job_id))


def dossier_download(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _own_job(request, job_id)
    path = files.finished_file(job)
    if path is None:
        return _progress(request, job, status=410)
    with transaction.atomic():
        record(
            request.user,
            AuditAction.EXPORT,
            consultation=job.consultation,
            obj=job,
            detail={"scope": "dossier", "format": "zip", "via": "download"},
        )
    stamp = timezone.localtime(job.finished_at).strftime("%Y%m%d-%H%M")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{job.consultation.slug}-dossier-{stamp}.zip",
        content_type="application/zip",
    )
