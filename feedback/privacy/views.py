"""The privacy officer's screens in the Wagtail admin: identity look-ups (two people, shown
once), the audit trail viewer, the contact access log and the register of residents' requests.

Views parse, check, call a service or selector and render. The one page that shows a contact
(``identity_reveal``) answers a POST only and is sent with no-store cache headers.
"""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from consultations.periods import local_date
from consultations.permissions import consultation_ids_nameable_by
from feedback.models import AuditAction, IdentityRequest, PrivacyRequest
from feedback.privacy import register, selectors, services
from feedback.privacy.forms import (
    AccessLogFilterForm,
    AuditFilterForm,
    DecisionForm,
    IdentityRequestForm,
    PrivacyRequestCloseForm,
    PrivacyRequestForm,
)
from feedback.privacy.permissions import (
    can_decide_identity,
    can_keep_register,
    can_request_identity,
    can_use_privacy_screens,
    is_requester,
)

Status = IdentityRequest.Status


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _screen(view):
    """No-store headers, and a plain 403 page for anyone not allowed (the Wagtail admin would
    otherwise turn the refusal into a redirect to its home page)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return TemplateResponse(request, "feedback/privacy/admin/forbidden.html", status=403)

    return never_cache(wrapper)


def _page(request: HttpRequest, rows, size: int = selectors.PAGE_SIZE):
    return Paginator(rows, size).get_page(request.GET.get("page"))


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@_screen
def privacy_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(can_use_privacy_screens(user))
    services.identity_requests_expire()
    open_requests = selectors.identity_requests().filter(
        status__in=[Status.PENDING, Status.APPROVED]
    )
    context = {
        "to_decide": [
            r for r in open_requests if r.status == Status.PENDING and can_decide_identity(user, r)
        ],
        "mine": [r for r in open_requests if r.requested_by_id == user.pk],
        "can_request": can_request_identity(user),
        "can_keep_register": can_keep_register(user),
        "overdue": selectors.overdue_count(local_date(timezone.now())),
    }
    return TemplateResponse(request, "feedback/privacy/admin/index.html", context)


# -- identity look-ups ----------------------------------------------------------------------


@_screen
def identity_list(request: HttpRequest) -> HttpResponse:
    _require(can_use_privacy_screens(request.user))
    services.identity_requests_expire()
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    page = _page(request, selectors.identity_requests(status))
    context = {"page_obj": page, "status": status, "statuses": Status.choices}
    return TemplateResponse(request, "feedback/privacy/admin/identity_list.html", context)


@_screen
def identity_new(request: HttpRequest) -> HttpResponse:
    _require(can_request_identity(request.user))
    status = 200
    if request.method == "POST":
        form = IdentityRequestForm(request.POST)
        if form.is_valid():
            try:
                created = services.identity_request_create(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Your request has been recorded. A second person must now approve it."),
                )
                return redirect("feedback_privacy:identity_detail", pk=created.pk)
        status = 400
    else:
        form = IdentityRequestForm(initial={"submission_id": request.GET.get("opinion") or None})
    return TemplateResponse(
        request, "feedback/privacy/admin/identity_new.html", {"form": form}, status=status
    )


def _detail_context(request: HttpRequest, identity_request: IdentityRequest, form=None) -> dict:
    user = request.user
    deciding = identity_request.status == Status.PENDING and can_decide_identity(
        user, identity_request
    )
    mine = is_requester(user, identity_request)
    now = timezone.now()
    return {
        "item": identity_request,
        "facts": selectors.opinion_facts(identity_request.submission),
        "decision_form": (form or DecisionForm()) if deciding else None,
        "is_requester": mine,
        "can_reveal": mine
        and identity_request.status == Status.APPROVED
        and identity_request.reveal_expires_at > now,
        "can_cancel": mine and identity_request.is_open,
        "own_pending": mine and identity_request.status == Status.PENDING,
    }


@_screen
def identity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_use_privacy_screens(request.user))
    services.identity_requests_expire()
    item = get_object_or_404(selectors.identity_requests(), pk=pk)
    return TemplateResponse(
        request, "feedback/privacy/admin/identity_detail.html", _detail_context(request, item)
    )


@_screen
@require_POST
def identity_decide(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.identity_requests(), pk=pk)
    _require(can_decide_identity(request.user, item))
    form = DecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == DecisionForm.APPROVE:
                services.identity_request_approve(
                    user=request.user, request=item, note=data["note"]
                )
                messages.success(
                    request,
                    _("Approved. The requester can open the contact once in the next 15 minutes."),
                )
            else:
                services.identity_request_refuse(user=request.user, request=item, note=data["note"])
                messages.success(request, _("Refused. Nothing will be shown from this request."))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("feedback_privacy:identity_detail", pk=item.pk)
    item.refresh_from_db()
    return TemplateResponse(
        request,
        "feedback/privacy/admin/identity_detail.html",
        _detail_context(request, item, form),
        status=400,
    )


@_screen
@require_POST
def identity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.identity_requests(), pk=pk)
    _require(is_requester(request.user, item))
    try:
        services.identity_request_cancel(user=request.user, request=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your request has been withdrawn."))
    return redirect("feedback_privacy:identity_detail", pk=item.pk)


@_screen
@require_POST
def identity_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact, to the requester, once. A replay gets 410 and no contact."""
    item = get_object_or_404(selectors.identity_requests(), pk=pk)
    _require(is_requester(request.user, item))
    try:
        shown = services.identity_request_reveal(user=request.user, request=item)
    except ValidationError as exc:
        item.refresh_from_db()
        context = {"item": item, "message": " ".join(exc.messages)}
        return TemplateResponse(
            request, "feedback/privacy/admin/identity_gone.html", context, status=410
        )
    response = TemplateResponse(
        request,
        "feedback/privacy/admin/identity_reveal.html",
        {"item": shown.request, "contact": shown.contact},
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


# -- the audit trail viewer and the contact access log ----------------------------------------


@_screen
@require_safe
def audit_viewer(request: HttpRequest) -> HttpResponse:
    """Read only: every staff action, filtered by action, person, consultation and dates.
    Shows no contact and no opinion text; each new view is itself an audit entry."""
    _require(can_use_privacy_screens(request.user))
    form = AuditFilterForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        context = {"form": form, "page_obj": None, "rows": []}
        return TemplateResponse(request, "feedback/privacy/admin/audit.html", context, status=400)
    filters = form.filters() if form.is_bound else selectors.AuditFilters()
    services.audit_view_record(user=request.user, screen="audit", filters=filters.as_detail())
    page = _page(request, selectors.audit_entries(filters))
    # Titles of unpublished consultations only to those who may see them (issue 13): others
    # see the consultation's number.
    titles = selectors.consultation_titles(
        consultation_ids_nameable_by(request.user, (e.consultation_id for e in page))
    )
    rows = [
        {
            "entry": entry,
            "action": AuditAction(entry.action).label
            if entry.action in AuditAction.values
            else entry.action,
            "consultation": titles.get(entry.consultation_id, entry.consultation_id),
            "detail": selectors.audit_detail_items(entry.detail),
        }
        for entry in page
    ]
    context = {"form": form, "page_obj": page, "rows": rows}
    return TemplateResponse(request, "feedback/privacy/admin/audit.html", context)


@_screen
@require_safe
def access_log(request: HttpRequest) -> HttpResponse:
    """Read only: every read of a contact (who, when, in which capacity, why); no contact."""
    _require(can_use_privacy_screens(request.user))
    form = AccessLogFilterForm(request.GET or None)
    if request.GET and not form.is_valid():
        context = {"form": form, "page_obj": None}
        return TemplateResponse(
            request, "feedback/privacy/admin/access_log.html", context, status=400
        )
    data = form.cleaned_data if form.is_bound else {}
    filters = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items() if v}
    services.audit_view_record(user=request.user, screen="access_log", filters=filters)
    rows = selectors.contact_access_entries(
        data.get("context", ""), data.get("date_from"), data.get("date_to")
    )
    context = {"form": form, "page_obj": _page(request, rows)}
    return TemplateResponse(request, "feedback/privacy/admin/access_log.html", context)


# -- residents' requests ---------------------------------------------------------------------


@_screen
def register_list(request: HttpRequest) -> HttpResponse:
    _require(can_use_privacy_screens(request.user))
    status = request.GET.get("status", "")
    if status not in PrivacyRequest.Status.values:
        status = ""
    context = {
        "page_obj": _page(request, selectors.privacy_requests(status)),
        "status": status,
        "statuses": PrivacyRequest.Status.choices,
        "today": local_date(timezone.now()),
        "can_keep_register": can_keep_register(request.user),
    }
    return TemplateResponse(request, "feedback/privacy/admin/register_list.html", context)


@_screen
def register_new(request: HttpRequest) -> HttpResponse:
    _require(can_keep_register(request.user))
    status = 200
    if request.method == "POST":
        form = PrivacyRequestForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            submission = None
            if data["opinion"].strip():
                submission = selectors.submission_by_number_or_receipt(data["opinion"])
                if submission is None:
                    form.add_error("opinion", _("No opinion has this number or receipt code."))
            if not form.errors:
                try:
                    entry = register.privacy_request_record(
                        user=request.user,
                        kind=data["kind"],
                        channel=data["channel"],
                        received_on=data["received_on"],
                        summary=data["summary"],
                        submission=submission,
                    )
                except ValidationError as exc:
                    _apply_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("Recorded. The answer is due by %(day)s.")
                        % {"day": entry.due_on.isoformat()},
                    )
                    return redirect("feedback_privacy:register_detail", pk=entry.pk)
        status = 400
    else:
        form = PrivacyRequestForm()
    return TemplateResponse(
        request, "feedback/privacy/admin/register_new.html", {"form": form}, status=status
    )


@_screen
def register_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_use_privacy_screens(request.user))
    entry = get_object_or_404(selectors.privacy_requests(), pk=pk)
    may_close = can_keep_register(request.user) and entry.status == PrivacyRequest.Status.OPEN
    status = 200
    form = PrivacyRequestCloseForm() if may_close else None
    if request.method == "POST":
        _require(may_close)
        form = PrivacyRequestCloseForm(request.POST)
        if form.is_valid():
            try:
                register.privacy_request_close(user=request.user, entry=entry, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("The answer has been recorded."))
                return redirect("feedback_privacy:register_detail", pk=entry.pk)
        status = 400
    context = {
        "entry": entry,
        "form": form,
        "today": local_date(timezone.now()),
        "can_request": can_request_identity(request.user),
    }
    return TemplateResponse(
        request, "feedback/privacy/admin/register_detail.html", context, status=status
    )
