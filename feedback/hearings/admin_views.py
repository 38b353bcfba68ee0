"""The hearing screens in the Wagtail admin, scoped to the consultation's department: the
hearing's notice, each step in order, the record and report; and the majority count."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation
from feedback.hearings import forms as hforms
from feedback.hearings import majority, rules, selectors, services
from feedback.hearings.permissions import (
    can_manage_hearing,
    can_publish_hearing_report,
    consultations_with_hearings_for,
    may_use_hearing_screens,
)
from feedback.models import HearingParticipant
from feedback.web import no_store


def _consultation(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = get_object_or_404(Consultation.objects.all(), pk=consultation_id)
    if not can_manage_hearing(request.user, consultation):
        raise PermissionDenied
    return consultation


def hearing_choose(request: HttpRequest) -> HttpResponse:
    if not may_use_hearing_screens(request.user):
        raise PermissionDenied
    rows = list(
        consultations_with_hearings_for(request.user)
        .filter(live=True)
        .select_related("department")
        .order_by("-opens_at")[:200]
    )
    return TemplateResponse(request, "feedback/hearings/admin/choose.html", {"rows": rows})


def _screen(request, consultation, *, hearing_form=None, status=200, **forms):
    hearing = selectors.hearing_of(consultation)
    now = timezone.now()
    if hearing_form is None:
        initial = {}
        if hearing is not None:
            initial = {n: getattr(hearing, n) for n in services.HEARING_FIELDS}
            for n in ("starts_at", "registration_closes_at"):
                initial[n] = timezone.localtime(initial[n]).strftime("%Y-%m-%dT%H:%M")
            initial["categories"] = hforms.categories_text(hearing)
        hearing_form = hforms.HearingForm(initial=initial)
    context = {
        "consultation": consultation,
        "hearing": hearing,
        "hearing_form": hearing_form,
        "editable": hearing is None or not hearing.notice_published_at,
        "notice_days": rules.notice_days(consultation.kind),
        "notice_source": rules.notice_source(consultation.kind),
        "may_publish_report": can_publish_hearing_report(request.user, consultation),
        "majority_kind": consultation.kind in rules.MAJORITY_KINDS,
        "majority": selectors.majority_count_of(consultation),
        "majority_form": forms.get("majority_form") or hforms.MajorityOpenForm(),
        "tokens_form": forms.get("tokens_form") or hforms.TokensForm(),
        "paper_form": forms.get("paper_form") or hforms.PaperTokensForm(),
        "tokens": forms.get("tokens"),
        "contacts": forms.get("contacts"),
    }
    if hearing is not None:
        context.update(
            status=selectors.status(hearing, now),
            registrations=list(hearing.registrations.select_related("category")),
            participants=list(hearing.participants.select_related("category")),
            record=list(hearing.record_items.select_related("speaker")),
            views=list(hearing.views.all()),
            held_problems=services.held_problems(hearing, now) if not hearing.held_at else [],
            materials_form=forms.get("materials_form") or hforms.MaterialsForm(),
            record_form=forms.get("record_form") or hforms.RecordItemForm(hearing=hearing),
            view_form=forms.get("view_form") or hforms.ViewForm(),
            report_form=forms.get("report_form") or hforms.ReportForm(),
        )
    return TemplateResponse(request, "feedback/hearings/admin/screen.html", context, status=status)


def _refused(request, exc: services.HearingRuleError) -> None:
    for problem in exc.problems:
        messages.error(request, problem)


def hearing_screen(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    if request.method != "POST":
        return _screen(request, consultation)
    form = hforms.HearingForm(request.POST)
    if not form.is_valid():
        return _screen(request, consultation, hearing_form=form, status=400)
    try:
        services.hearing_save(
            user=request.user,
            consultation=consultation,
            fields=form.fields_data(),
            categories=form.cleaned_data["categories"],
        )
    except services.HearingRuleError as exc:
        _refused(request, exc)
        return _screen(request, consultation, hearing_form=form, status=400)
    messages.success(request, _("The hearing is saved."))
    return redirect("feedback_hearings:screen", consultation.pk)


SIMPLE_STEPS = {
    "notice": (services.notice_publish, _("The notice is published.")),
    "freeze": (services.list_freeze, _("The list is frozen and the seed's hash is published.")),
    "draw": (services.draw_run, _("The draw is made; the seed is published.")),
    "participants": (services.participants_publish, _("The participant list is published.")),
    "held": (services.hearing_mark_held, _("The hearing is marked held.")),
}


def hearing_step(request: HttpRequest, consultation_id: int, step: str) -> HttpResponse:
    """Every POST action of the screen; a refused step shows all its reasons, changes nothing."""
    consultation = _consultation(request, consultation_id)
    if request.method != "POST":
        return redirect("feedback_hearings:screen", consultation.pk)
    hearing = selectors.hearing_of(consultation)
    if step.startswith("majority"):
        return _majority_step(request, consultation, step)
    if hearing is None:
        return redirect("feedback_hearings:screen", consultation.pk)
    user = request.user
    if step == "contacts":
        try:
            contacts = services.participant_contacts_read(
                user=user, hearing=hearing, purpose=request.POST.get("purpose", "")
            )
        except services.HearingRuleError as exc:
            _refused(request, exc)
            return _screen(request, consultation, status=400)
        return no_store(_screen(request, consultation, contacts=contacts))
    try:
        if step in SIMPLE_STEPS:
            service, done = SIMPLE_STEPS[step]
            service(user=user, hearing=hearing)
        elif step == "materials":
            form = hforms.MaterialsForm(request.POST)
            if not form.is_valid():
                return _screen(request, consultation, materials_form=form, status=400)
            services.materials_sent_record(
                user=user, hearing=hearing, sent_on=form.cleaned_data["sent_on"]
            )
            done = _("The day the materials were sent is recorded.")
        elif step == "record":
            form = hforms.RecordItemForm(request.POST, hearing=hearing)
            if not form.is_valid():
                return _screen(request, consultation, record_form=form, status=400)
            c = form.cleaned_data
            services.record_item_add(
                user=user,
                hearing=hearing,
                kind=c["kind"],
                text=c["text"],
                speaker=c["speaker"],
                speaker_label=c["speaker_label"],
                stance=c["stance"],
            )
            done = _("The entry is added to the record.")
        elif step == "confirm":
            form = hforms.ConfirmationForm(request.POST)
            if not form.is_valid():
                return _screen(request, consultation, status=400)
            participant = get_object_or_404(
                HearingParticipant, pk=form.cleaned_data["participant"], hearing=hearing
            )
            services.participant_confirm(
                user=user,
                participant=participant,
                confirmed=form.cleaned_data["confirmed"],
                note=form.cleaned_data["note"],
            )
            done = _("The confirmation is recorded.")
        elif step == "view":
            form = hforms.ViewForm(request.POST)
            if not form.is_valid():
                return _screen(request, consultation, view_form=form, status=400)
            services.view_add(user=user, hearing=hearing, **form.cleaned_data)
            done = _("The view is added to the report.")
        elif step == "report":
            form = hforms.ReportForm(request.POST)
            if not form.is_valid():
                return _screen(request, consultation, report_form=form, status=400)
            services.report_publish(user=user, hearing=hearing, **form.cleaned_data)
            done = _("The hearing report is published.")
        else:
            return redirect("feedback_hearings:screen", consultation.pk)
    except services.HearingRuleError as exc:
        _refused(request, exc)
        return _screen(request, consultation, status=400)
    messages.success(request, done)
    return redirect("feedback_hearings:screen", consultation.pk)


def _majority_step(request, consultation, step: str) -> HttpResponse:
    user = request.user
    count = selectors.majority_count_of(consultation)
    try:
        if step == "majority_open":
            form = hforms.MajorityOpenForm(request.POST)
            if not form.is_valid():
                return _screen(request, consultation, majority_form=form, status=400)
            majority.majority_count_open(user=user, consultation=consultation, **form.cleaned_data)
            messages.success(request, _("The count is saved."))
        elif step == "majority_tokens" and count is not None:
            form = hforms.TokensForm(request.POST)
            if not form.is_valid():
                return _screen(request, consultation, tokens_form=form, status=400)
            tokens = majority.majority_tokens_issue(
                user=user, count=count, number=form.cleaned_data["number"]
            )
            # Shown once, in this response only: print them now.
            return no_store(_screen(request, consultation, tokens=tokens))
        elif step == "majority_paper" and count is not None:
            form = hforms.PaperTokensForm(request.POST)
            if not form.is_valid():
                return _screen(request, consultation, paper_form=form, status=400)
            counted, refused = majority.paper_objections_enter(
                user=user, count=count, tokens=form.token_list()
            )
            messages.success(
                request,
                _("%(counted)d counted, %(refused)d not valid or already used.")
                % {"counted": counted, "refused": refused},
            )
    except services.HearingRuleError as exc:
        _refused(request, exc)
        return _screen(request, consultation, status=400)
    return redirect("feedback_hearings:screen", consultation.pk)
