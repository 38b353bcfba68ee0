"""The intake clerk's screens in the Wagtail admin (R15, R60; issue 12, point 5).

Offline opinions (phone, letter, walk-in, symposium, field visit, e-mail, 12345 hotline) go into
the same register through the same service and form as web opinions, with the channel and the
date received, and get the same receipt codes, printed for the resident.

A clerk works only on the consultations of their own department (the 12345 centre also on the
others', for hotline opinions only): anything else is a 403 page and stores nothing. Receipt
codes appear only on the page of the entry or upload that created them, to the clerk who made
it, for a limited time (``feedback.intake.offline``); no URL carries a receipt code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from consultations.models import Consultation
from consultations.roles import user_department_id
from feedback.intake import import_table, import_template, offline, selectors
from feedback.intake.bulk_import import HOTLINE_ONLY_MESSAGE
from feedback.intake.forms import IntakeForm
from feedback.intake.import_jobs import import_file
from feedback.intake.import_table import (
    MAX_BYTES,
    ImportFileError,
    check_size,
    check_xlsx_archive,
    file_format,
    message_for,
)
from feedback.intake.services import NotAcceptingOpinions
from feedback.intake.uploads import PrivateFileHandler, request_length
from feedback.models import AuditAction, AuditEntry, Channel, ImportJob
from feedback.permissions import can_enter_opinion, is_hotline_clerk, is_hotline_entry


def _require_clerk(request: HttpRequest) -> None:
    if not can_enter_opinion(request.user):
        raise PermissionDenied


def _forbidden(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "feedback/intake/admin/forbidden.html", {}, status=403)


def _consultation_for(request: HttpRequest, consultation_id: int) -> Consultation | None:
    """The published consultation if the clerk may enter opinions for it, else None (403)."""
    _require_clerk(request)
    consultation = get_object_or_404(
        Consultation.objects.published().select_related("department"), pk=consultation_id
    )
    return consultation if can_enter_opinion(request.user, consultation) else None


def _refusal(consultation: Consultation) -> str:
    """Why no offline opinion can be entered now, or an empty string."""
    if consultation.stage != Consultation.Stage.CONSULTING:
        return _(
            "The response to this consultation has been published, so offline opinions can no "
            "longer be added to it."
        )
    return ""


def _status_words(status: str) -> str:
    """A consultation's status in words ("open for comments"), never its code (issue 15)."""
    for choices in (Consultation.Status, Consultation.Stage):
        if status in choices.values:
            return str(choices(status).label)
    return str(status)


def intake_choose(request: HttpRequest) -> HttpResponse:
    """The clerk's department's consultations that have opened, newest first: letters may
    arrive after the close. The 12345 centre sees every department's."""
    _require_clerk(request)
    now = timezone.now()
    consultations = Consultation.objects.published().filter(opens_at__lte=now)
    if not is_hotline_clerk(request.user):
        consultations = consultations.filter(department_id=user_department_id(request.user))
    consultations = consultations.select_related("department").order_by("-closes_at")[:100]
    rows = [
        (c, _status_words(c.status_at(now)), c.stage == Consultation.Stage.CONSULTING)
        for c in consultations
    ]
    return TemplateResponse(request, "feedback/intake/admin/choose.html", {"rows": rows})


def intake_form(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_for(request, consultation_id)
    if consultation is None:
        return _forbidden(request)
    refusal = _refusal(consultation)
    hotline_only = is_hotline_entry(request.user, consultation)
    kwargs = {
        "consultation": consultation,
        "alternatives": selectors.form_alternatives(consultation),
        "questions": selectors.form_questions(consultation),
        "clauses": selectors.form_clauses(consultation),
    }
    status = 200
    form = None
    if request.method == "POST" and not refusal:
        form = IntakeForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                entered = offline.offline_opinion_enter(
                    consultation=consultation,
                    clerk=request.user,
                    data=form.to_data(),
                    token=form.cleaned_data["token"] or uuid.uuid4(),
                    channel=form.cleaned_data["channel"],
                    submitted_on=form.cleaned_data["submitted_on"],
                )
            except NotAcceptingOpinions as exc:
                if exc.status == Consultation.Status.CLOSED:  # date outside the period
                    form.add_error("submitted_on", str(exc))
                else:  # the response was published meanwhile
                    refusal = str(exc)
            except offline.ChannelNotAllowed:
                form.add_error("channel", str(HOTLINE_ONLY_MESSAGE))
            except (offline.FormAlreadyUsed, PermissionDenied):
                form.add_error(
                    None, _("This form was already used. Please open a new, empty form.")
                )
            else:
                if entered.entry is None:
                    raise Http404
                return redirect("feedback_intake:entry", entry_id=entered.entry.pk)
        status = 400
    elif request.method == "POST":
        status = 400
    if form is None and not refusal:
        initial = {"submitted_on": timezone.localdate()}
        if hotline_only:
            initial["channel"] = Channel.HOTLINE
        form = IntakeForm(initial=initial, **kwargs)
    context = {
        "form": None if refusal else form,
        "consultation": consultation,
        "refusal": refusal,
        "hotline_only": hotline_only,
    }
    return TemplateResponse(request, "feedback/intake/admin/form.html", context, status=status)


def intake_entry(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The page of one entry or upload, for the clerk who made it: what it stored and, while
    the window lasts, the receipt codes to hand over."""
    _require_clerk(request)
    entry = offline.intake_entry_for(request.user, entry_id)
    if entry is None:
        raise Http404(_("No such entry of yours."))
    shown = offline.intake_receipts_show(clerk=request.user, entry=entry)
    context = {
        "entry": entry,
        "consultation": entry.consultation,
        "detail": entry.detail,
        "shown": shown,
        "shown_until": offline.receipts_shown_until(entry) if shown else None,
        "receipt_hours": offline.receipt_hours(),
        "accepting": not _refusal(entry.consultation),
    }
    if entry.action == AuditAction.INTAKE:
        if shown:
            submission = shown[0][1]
            context["submission"] = submission
            context.update(selectors.submission_display(submission))
        return TemplateResponse(request, "feedback/intake/admin/receipt.html", context)
    context["earlier"] = list(
        AuditEntry.objects.filter(
            pk__in=entry.detail.get("earlier_uploads", []),
            actor=request.user,
            action=AuditAction.INTAKE_IMPORT,
        ).order_by("pk")
    )
    # The rows not imported, with their number and reason, from the upload's job (the audit
    # entry holds counts only).
    job = ImportJob.objects.filter(entry=entry, requested_by=request.user).first()
    if job is not None and (job.result or {}).get("errors"):
        context["report"] = JobReport.of(job)
    return TemplateResponse(request, "feedback/intake/admin/upload.html", context)


@require_POST
def intake_entry_close(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The clerk has handed the receipts over: never show their codes again."""
    _require_clerk(request)
    entry = offline.intake_entry_for(request.user, entry_id)
    if entry is None:
        raise Http404(_("No such entry of yours."))
    offline.intake_receipts_close(clerk=request.user, entry=entry)
    return redirect("feedback_intake:entry", entry_id=entry.pk)


class ImportUploadForm(forms.Form):
    """One upload: the valid rows are imported and the others reported with their row number
    and reason (issue 15), so a clerk never uploads the same file twice to import its valid
    rows; the corrected rows alone are uploaded next."""

    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))


# Room in the request for the form's other fields and the multipart framing.
IMPORT_BODY_SLACK = 64 * 1024


def _import_context(request: HttpRequest, consultation: Consultation) -> dict:
    return {
        "consultation": consultation,
        "refusal": _refusal(consultation),
        "hotline_only": is_hotline_entry(request.user, consultation),
        "uploads": offline.intake_entries_of(consultation, request.user),
        "uploads_by_others": offline.uploads_by_others(consultation, request.user),
        "limits": import_limits(),
    }


def _import_page(request, context: dict, *, status: int = 200) -> HttpResponse:
    if context["refusal"]:
        context["form"] = None
    return TemplateResponse(request, "feedback/intake/admin/import.html", context, status=status)


@csrf_exempt  # checked below by csrf_protect, once the upload handlers are chosen
def intake_import(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Upload a file of paper forms: it is checked and imported by the task worker.

    The request's size is checked from its Content-Length before a byte is read; the file is
    written straight into the private upload folder; an XLSX is checked from its ZIP
    directory (parts, unpacked size, compression ratio) before anything is unpacked. Then an
    ``ImportJob`` is queued and the clerk follows it on its page (``intake_import_job``),
    which ends on the upload's page (the receipt codes) when the file was imported.
    """
    consultation = _consultation_for(request, consultation_id)
    if consultation is None:
        return _forbidden(request)
    if request.method != "POST":
        context = _import_context(request, consultation)
        context["form"] = ImportUploadForm()
        return _import_page(request, context)
    length = request_length(request)
    if length is None or length > MAX_BYTES + IMPORT_BODY_SLACK:
        context = _import_context(request, consultation)
        error = ImportFileError("too_large", size=max(0, length or 0), limit=MAX_BYTES)
        context.update(form=ImportUploadForm(), file_error=str(error))
        return _import_page(request, context, status=413)
    handler = PrivateFileHandler(request, MAX_BYTES)
    request.upload_handlers = [handler]
    try:
        return _import_post(request, consultation)
    finally:
        handler.discard_all(keep=getattr(request, "_import_kept", ""))


@csrf_protect
def _import_post(request: HttpRequest, consultation: Consultation) -> HttpResponse:
    context = _import_context(request, consultation)
    form = ImportUploadForm(request.POST, request.FILES)
    context["form"] = form
    if context["refusal"] or not form.is_valid():
        return _import_page(request, context, status=400)
    upload = form.cleaned_data["file"]
    try:
        fmt = file_format(upload.name)
        check_size(upload.size)
        if fmt == "xlsx":
            check_xlsx_archive(upload.path)
    except ImportFileError as exc:
        form.add_error("file", str(exc))
        return _import_page(request, context, status=400)
    upload.file.close()
    job = ImportJob.objects.create(
        consultation=consultation,
        requested_by=request.user,
        file_format=fmt,
        file_size=upload.size,
        import_valid_rows=True,
        language=translation.get_language() or "",
        stored_path=upload.path,
    )
    request._import_kept = upload.path
    import_file.enqueue(job.pk)
    return _to_job(job)


def _to_job(job: ImportJob) -> HttpResponse:
    """The upload's page once the file was imported (the worker may already be done), else
    the job's page."""
    job.refresh_from_db()
    if job.status == ImportJob.Status.DONE and job.imported and job.entry_id:
        return redirect("feedback_intake:entry", entry_id=job.entry_id)
    return redirect("feedback_intake:import_job", job_id=job.pk)


def intake_import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The page of an import job, for the clerk who uploaded the file: progress while it is
    checked, then the report (nothing imported: 400, as the import form always answered) or,
    once imported, the upload's page."""
    _require_clerk(request)
    job = (
        ImportJob.objects.select_related("consultation")
        .filter(pk=job_id, requested_by=request.user)
        .first()
    )
    if job is None:
        raise Http404(_("No such import of yours."))
    if job.status == ImportJob.Status.DONE and job.imported and job.entry_id:
        return redirect("feedback_intake:entry", entry_id=job.entry_id)
    context = _import_context(request, job.consultation)
    context.update(job=job, form=ImportUploadForm())
    status = 200
    if job.status == ImportJob.Status.FAILED:
        context["file_error"] = message_for(job.error_code, job.error_params)
        status = 400
    elif job.status == ImportJob.Status.DONE:
        context["report"] = JobReport.of(job)
        status = 400
    return _import_page(request, context, status=status)


def intake_import_template(request: HttpRequest, consultation_id: int, fmt: str) -> HttpResponse:
    """The consultation's import template (``import_template``): CSV or XLSX, with a header
    row naming its questions, alternatives and clauses."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    consultation = _consultation_for(request, consultation_id)
    if consultation is None:
        return _forbidden(request)
    if fmt == "csv":
        content, mime = import_template.template_csv(consultation), "text/csv; charset=utf-8"
    else:
        content = import_template.template_xlsx(consultation)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = (
        f'attachment; filename="import-template-{consultation.pk}.{fmt}"'
    )
    return response


def import_limits() -> dict:
    """The limits an import file must keep, for the import page."""
    return {
        "bytes": MAX_BYTES,
        "rows": import_table.MAX_ROWS,
        "columns": import_table.MAX_COLUMNS,
        "unpacked": import_table.XLSX_MAX_UNCOMPRESSED,
        "ratio": import_table.XLSX_MAX_RATIO,
    }


@dataclass
class JobReport:
    """The report of a finished import job, as the import page shows it."""

    new: int
    already: int
    invalid: int
    valid: int
    errors: list
    errors_total: int
    earlier: list

    @classmethod
    def of(cls, job: ImportJob) -> JobReport:
        result = job.result or {}
        earlier = AuditEntry.objects.filter(
            pk__in=result.get("earlier", []),
            actor=job.requested_by_id,
            action=AuditAction.INTAKE_IMPORT,
        ).order_by("pk")
        return cls(
            new=result.get("new", 0),
            already=result.get("already", 0),
            invalid=result.get("invalid", 0),
            valid=result.get("valid", 0),
            errors=result.get("errors", []),
            errors_total=result.get("errors_total", 0),
            earlier=list(earlier),
        )
