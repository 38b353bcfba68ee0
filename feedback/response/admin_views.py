"""The officials' response screen in the Wagtail admin: dispositions, problems, submission for
approval, and the approver's decision (approve and publish, or send back)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.models import Consultation
from feedback.models import ResponseStatus, Theme
from feedback.response.forms import ApproveForm, DispositionForm, ReturnForm, SubmitForm
from feedback.response.notify import notification_summary
from feedback.response.permissions import (
    can_approve_response,
    can_respond,
    consultations_to_respond,
    may_use_response_screens,
)
from feedback.response.selectors import (
    published_response,
    response_check,
    response_in_progress,
    theme_examples,
    theme_opinions,
    theme_rows,
)
from feedback.response.services import (
    ResponseNotReady,
    disposition_set,
    notifications_retry,
    response_approve,
    response_return,
    response_submit,
)


def _consultation(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = get_object_or_404(Consultation.objects.published(), pk=consultation_id)
    if not can_respond(request.user, consultation):
        raise PermissionDenied
    return consultation


def response_choose(request: HttpRequest) -> HttpResponse:
    if not may_use_response_screens(request.user):
        raise PermissionDenied
    consultations = consultations_to_respond(request.user)
    now = timezone.now()
    rows = [
        (c, c.status_at(now))
        for c in consultations.filter(live=True, closes_at__lte=now)
        .select_related("department")
        .order_by("-closes_at")[:200]
    ]
    return TemplateResponse(request, "feedback/response/admin/choose.html", {"rows": rows})


def _screen(
    request,
    consultation,
    *,
    forms_by_theme=None,
    publish_form=None,
    approve_form=None,
    return_form=None,
    status=200,
):
    themes = theme_rows(consultation)
    forms_by_theme = forms_by_theme or {}
    # The writer sees a few of the theme's opinions beside the reason (issue 15).
    examples = theme_examples([theme.pk for theme in themes])
    for theme in themes:
        theme.examples = examples[theme.pk]
        answer = theme.theme_response
        initial = {}
        if answer is not None:
            initial = {
                "disposition": answer.disposition,
                "reason": answer.reason,
                "reason_en": answer.reason_en,
                "changed_clauses": list(answer.changed_clauses.values_list("pk", flat=True)),
            }
        theme.form = forms_by_theme.get(theme.pk) or DispositionForm(
            consultation=consultation, initial=initial, prefix=f"t{theme.pk}"
        )
    response = published_response(consultation)
    pending = response_in_progress(consultation)
    waiting = pending is not None and pending.status == ResponseStatus.SUBMITTED
    context = {
        "consultation": consultation,
        "themes": themes,
        "problems": [] if response or waiting else response_check(consultation),
        "opinion_response": response,
        "pending_response": pending,
        "waiting_for_approval": waiting,
        "may_approve": waiting and can_approve_response(request.user, consultation, pending),
        "is_submitter": waiting and pending.submitted_by_id == request.user.pk,
        "editable": response is None and not waiting,
        "publish_form": publish_form or SubmitForm(consultation=consultation),
        "approve_form": approve_form or ApproveForm(),
        "return_form": return_form or ReturnForm(),
        "closed": consultation.closes_at is not None and consultation.closes_at <= timezone.now(),
        "notifications": notification_summary(consultation) if response else None,
    }
    return TemplateResponse(request, "feedback/response/admin/screen.html", context, status=status)


def response_screen(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The screen; a POST with ``action=retry_notifications`` queues failed notifications again."""
    consultation = _consultation(request, consultation_id)
    if request.method == "POST" and request.POST.get("action") == "retry_notifications":
        try:
            queued = notifications_retry(user=request.user, consultation=consultation)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if queued:
                messages.success(
                    request,
                    _("Notifications queued again and being sent: %(n)s.") % {"n": queued},
                )
            else:
                messages.info(request, _("No notification was waiting to be sent again."))
        url = reverse("feedback_response:screen", args=[consultation.pk])
        return redirect(f"{url}#notifications")
    return _screen(request, consultation)


def disposition_post(request: HttpRequest, consultation_id: int, theme_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    theme = get_object_or_404(Theme, pk=theme_id, consultation=consultation)
    if request.method != "POST":
        return redirect("feedback_response:screen", consultation_id=consultation.pk)
    form = DispositionForm(request.POST, consultation=consultation, prefix=f"t{theme.pk}")
    if form.is_valid():
        try:
            disposition_set(
                user=request.user,
                theme=theme,
                disposition=form.cleaned_data["disposition"],
                reason=form.cleaned_data["reason"],
                reason_en=form.cleaned_data["reason_en"],
                changed_clauses=form.cleaned_data["changed_clauses"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Disposition saved for “%(name)s”.") % {"name": theme.name})
            url = reverse("feedback_response:screen", args=[consultation.pk])
            return redirect(f"{url}#theme-{theme.pk}")
    return _screen(request, consultation, forms_by_theme={theme.pk: form}, status=400)


def submit_post(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """An editor or approver submits the response for approval (nothing is published)."""
    consultation = _consultation(request, consultation_id)
    if request.method != "POST":
        return redirect("feedback_response:screen", consultation_id=consultation.pk)
    form = SubmitForm(request.POST, consultation=consultation)
    if form.is_valid():
        try:
            response_submit(
                user=request.user,
                consultation=consultation,
                summary=form.cleaned_data["summary"],
                summary_en=form.cleaned_data["summary_en"],
                draft_from=form.cleaned_data["draft_from"],
                draft_to=form.cleaned_data["draft_to"],
            )
        except ResponseNotReady as exc:
            for problem in exc.problems:
                form.add_error(None, str(problem.message))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "The response was submitted. An approver of the department publishes it "
                    "or sends it back."
                ),
            )
            return redirect("feedback_response:screen", consultation_id=consultation.pk)
    return _screen(request, consultation, publish_form=form, status=400)


def approve_post(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The second person approves: the response is published and residents are notified."""
    consultation = _consultation(request, consultation_id)
    if request.method != "POST":
        return redirect("feedback_response:screen", consultation_id=consultation.pk)
    pending = response_in_progress(consultation)
    if not can_approve_response(request.user, consultation, pending):
        raise PermissionDenied
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            response_approve(user=request.user, consultation=consultation)
        except ResponseNotReady as exc:
            for problem in exc.problems:
                form.add_error(None, str(problem.message))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The response has been approved and published."))
            return redirect("feedback_response:screen", consultation_id=consultation.pk)
    return _screen(request, consultation, approve_form=form, status=400)


def return_post(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The second person sends the response back with a comment."""
    consultation = _consultation(request, consultation_id)
    if request.method != "POST":
        return redirect("feedback_response:screen", consultation_id=consultation.pk)
    pending = response_in_progress(consultation)
    if not can_approve_response(request.user, consultation, pending):
        raise PermissionDenied
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            response_return(
                user=request.user, consultation=consultation, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("comment", message)
        else:
            messages.success(request, _("The response was sent back with your comment."))
            return redirect("feedback_response:screen", consultation_id=consultation.pk)
    return _screen(request, consultation, return_form=form, status=400)


THEME_OPINIONS_PER_PAGE = 50


def theme_opinions_list(request: HttpRequest, consultation_id: int, theme_id: int) -> HttpResponse:
    """Every opinion of one theme, masked, for whoever writes or approves the response."""
    from django.core.paginator import Paginator

    from feedback.privacy.masking import mask_text

    consultation = _consultation(request, consultation_id)
    theme = get_object_or_404(Theme, pk=theme_id, consultation=consultation)
    page = Paginator(theme_opinions(theme), THEME_OPINIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "submission": s,
            "comment": mask_text(s.comment),
            "clause_comments": [
                (c.clause.number, mask_text(c.text))
                for c in sorted(s.clause_comments.all(), key=lambda c: c.clause.number)
                if c.text
            ],
        }
        for s in page.object_list
    ]
    context = {"consultation": consultation, "theme": theme, "page": page, "rows": rows}
    return TemplateResponse(request, "feedback/response/admin/theme_opinions.html", context)
