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

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consultations.models import Consultation
from consultations.roles import user_department_id
from feedback.intake import offline, selectors
from feedback.intake.bulk_import import HOTLINE_ONLY_MESSAGE, import_rows, upload_record
from feedback.intake.bulk_import import validate_file as validate_import_file
from feedback.intake.forms import IntakeForm
from feedback.intake.import_table import ImportFileError
from feedback.intake.services import NotAcceptingOpinions
from feedback.models import AuditAction, AuditEntry, Channel
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


def intake_choose(request: HttpRequest) -> HttpResponse:
    """The clerk's department's consultations that have opened, newest first: letters may
    arrive after the close. The 12345 centre sees every department's."""
    _require_clerk(request)
    now = timezone.now()
    consultations = Consultation.objects.published().filter(opens_at__lte=now)
    if not is_hotline_clerk(request.user):
        consultations = consultations.filter(department_id=user_department_id(request.user))
    consultations = consultations.select_related("department").order_by("-closes_at")[:100]
    rows = [(c, c.status_at(now), c.stage == Consultation.Stage.CONSULTING) for c in consultations]
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
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))
    import_valid_rows = forms.BooleanField(
        label=gettext_lazy("Import the valid rows even if other rows have errors"),
        required=False,
    )


def intake_import(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Validate a file of paper forms; import it when every row is valid or the clerk agrees.

    An import ends on the upload's page (the receipt codes of the rows it created). A file that
    is not imported is reported here: counts, the errors of its own rows, and how many of its
    rows this clerk's earlier uploads already stored (never which, never their codes).
    """
    consultation = _consultation_for(request, consultation_id)
    if consultation is None:
        return _forbidden(request)
    refusal = _refusal(consultation)
    context = {
        "consultation": consultation,
        "refusal": refusal,
        "hotline_only": is_hotline_entry(request.user, consultation),
        "uploads": offline.intake_entries_of(consultation, request.user),
        "uploads_by_others": offline.uploads_by_others(consultation, request.user),
    }
    status = 200
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        status = 400
        if refusal:
            form = None
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = validate_import_file(
                    consultation, upload.name, upload.read(), clerk=request.user
                )
            except ImportFileError as exc:
                form.add_error("file", str(exc))
            else:
                context["report"] = report
                confirmed = form.cleaned_data["import_valid_rows"]
                if report.valid_rows and (confirmed or not report.invalid_rows):
                    try:
                        import_rows(
                            consultation=consultation, report=report, entered_by=request.user
                        )
                    except NotAcceptingOpinions as exc:
                        context["refusal"] = refusal = str(exc)
                        form = None
                    else:
                        return redirect("feedback_intake:entry", entry_id=report.entry.pk)
                else:
                    report.entry = upload_record(
                        consultation=consultation,
                        report=report,
                        clerk=request.user,
                        imported=False,
                    )
    elif refusal:
        form = None
    context["form"] = form
    return TemplateResponse(request, "feedback/intake/admin/import.html", context, status=status)
