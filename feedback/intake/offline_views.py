"""The intake clerk's screens in the Wagtail admin (R15, R60).

Offline opinions (phone, letter, walk-in, symposium, field visit, e-mail, 12345 hotline) go into
the same register through the same service and form as web opinions, with the channel and the
date received, and get the same receipt codes, printed for the resident.
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

from consultations.models import Consultation
from feedback.intake import selectors
from feedback.intake.forms import IntakeForm
from feedback.intake.services import NotAcceptingOpinions, submission_create
from feedback.permissions import can_enter_opinion


def _require_clerk(request: HttpRequest) -> None:
    if not can_enter_opinion(request.user):
        raise PermissionDenied


def intake_choose(request: HttpRequest) -> HttpResponse:
    """Consultations that have opened, newest first: letters may arrive after the close."""
    _require_clerk(request)
    now = timezone.now()
    consultations = (
        Consultation.objects.published()
        .filter(opens_at__lte=now)
        .select_related("department")
        .order_by("-closes_at")[:100]
    )
    rows = [(c, c.status_at(now)) for c in consultations]
    return TemplateResponse(request, "feedback/intake/admin/choose.html", {"rows": rows})


def intake_form(request: HttpRequest, consultation_id: int) -> HttpResponse:
    _require_clerk(request)
    consultation = get_object_or_404(Consultation.objects.published(), pk=consultation_id)
    kwargs = {
        "consultation": consultation,
        "alternatives": selectors.form_alternatives(consultation),
        "questions": selectors.form_questions(consultation),
        "clauses": selectors.form_clauses(consultation),
    }
    if request.method == "POST":
        form = IntakeForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                submission, _created = submission_create(
                    consultation=consultation,
                    data=form.to_data(),
                    token=form.cleaned_data["token"] or uuid.uuid4(),
                    channel=form.cleaned_data["channel"],
                    submitted_on=form.cleaned_data["submitted_on"],
                    entered_by=request.user,
                )
            except NotAcceptingOpinions as exc:
                form.add_error("submitted_on", str(exc))
            else:
                return redirect("feedback_intake:receipt", code=submission.formatted_receipt)
        status = 400
    else:
        form = IntakeForm(initial={"submitted_on": timezone.localdate()}, **kwargs)
        status = 200
    context = {"form": form, "consultation": consultation}
    return TemplateResponse(request, "feedback/intake/admin/form.html", context, status=status)


def intake_receipt(request: HttpRequest, code: str) -> HttpResponse:
    """A printable receipt for the resident. It shows the opinion, never contact details."""
    _require_clerk(request)
    submission = selectors.submission_by_receipt(code)
    if submission is None:
        raise Http404(_("No opinion with this receipt code."))
    context = {
        "submission": submission,
        "consultation": submission.consultation,
        **selectors.submission_display(submission),
    }
    return TemplateResponse(request, "feedback/intake/admin/receipt.html", context)


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("CSV or XLSX file"))
    import_valid_rows = forms.BooleanField(
        label=gettext_lazy("Import the valid rows even if other rows have errors"),
        required=False,
    )


def intake_import(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """Validate a file of paper forms; import it when every row is valid or the clerk agrees."""
    from feedback.intake.bulk_import import ImportFileError, import_rows, validate_file

    _require_clerk(request)
    consultation = get_object_or_404(Consultation.objects.published(), pk=consultation_id)
    context = {"consultation": consultation}
    status = 200
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = validate_file(consultation, upload.name, upload.read())
            except ImportFileError as exc:
                form.add_error("file", str(exc))
                status = 400
            else:
                context["report"] = report
                confirmed = form.cleaned_data["import_valid_rows"]
                if report.valid_rows and (confirmed or not report.invalid_rows):
                    # Rows already imported are only reported, with their receipt codes.
                    if report.new_rows:
                        import_rows(
                            consultation=consultation, report=report, entered_by=request.user
                        )
                    context["imported"] = True
                else:
                    status = 400
        else:
            status = 400
    else:
        form = ImportUploadForm()
    context["form"] = form
    return TemplateResponse(request, "feedback/intake/admin/import.html", context, status=status)
