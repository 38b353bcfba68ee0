"""Public receipt pages: look up, read, change or withdraw an opinion, delete its contact.

No receipt code is ever in a URL (issue 12): the code is typed into a POST form, which opens a
receipt session for that one opinion (``receipt_session``) and redirects to the code-free
``receipt/``. Changing, withdrawing, deleting the contact and closing are code-free URLs that
act on the opinion of the session, each a POST with the CSRF token. Old links with the code
in the path (``receipt/<code>/…``, printed or e-mailed before) open the session once, then
lead to the look-up form. Every look-up, by form or old link, counts against the per-network
look-up limit before anything is looked up, so guessing codes is refused, right or wrong.
The routable-page methods in ``cms/routes_feedback.py`` call these with the index ``page``.
"""

from __future__ import annotations

import functools

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone

from consultations.models import Consultation
from feedback.intake import ratelimit, selectors
from feedback.intake.forms import initial_from_submission
from feedback.intake.receipt_session import (
    lookup_url,
    old_link_claim,
    receipt_session_close,
    receipt_session_open,
    receipt_session_present,
    receipt_session_seconds,
    receipt_session_submission,
)
from feedback.intake.services import (
    NotAcceptingOpinions,
    check_implementation_open,
    submission_update,
    submission_withdraw,
)
from feedback.intake.views import (
    _form_for,
    _form_response,
    _too_large,
    _too_large_response,
    body_limit,
    form_parts,
    rate_limited_response,
)
from feedback.models import Phase, Submission
from feedback.privacy.contacts import contact_delete_by_resident
from feedback.web import base_context, never_cache, published_consultation_by_slug, sub_url

MAX_TYPED_CODE = 40  # the look-up field's maxlength: room for spaces and hyphens
# Flags a redirect may add to ``receipt/`` (what the page then says), never anything else.
RECEIPT_FLAGS = ("sent", "again", "updated", "withdrawn", "contact_deleted")
LOOKUP_FLAGS = ("link_used", "closed")


def _see_other(url: str) -> HttpResponse:
    return HttpResponseRedirect(url, status=303)


def _private(view):
    """Receipt responses: never cached, never indexed. (The site's Referrer-Policy,
    same-origin, stays: no URL of these pages holds a code, and with ``no-referrer`` browsers
    send ``Origin: null`` with the pages' forms, which the CSRF check refuses.)"""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    return never_cache(wrapper)


def _look_up(request, page, code: str):
    """(submission or None, refusal or None). Counted first, hit or miss: past the limit no
    code is looked up at all, so a guesser learns nothing from trying more."""
    limited = ratelimit.check_receipt_lookup(request)
    if limited:
        return None, rate_limited_response(request, page, limited)
    return selectors.submission_by_receipt(code), None


def _lookup_form(request, page, url: str, *, status: int = 200, **flags) -> HttpResponse:
    context = base_context(page, request)
    context.update(lookup_url=url, session_minutes=receipt_session_seconds() // 60, **flags)
    for flag in LOOKUP_FLAGS:
        context.setdefault(flag, flag in request.GET)
    response = TemplateResponse(
        request, "feedback/intake/receipt_lookup.html", context, status=status
    )
    if flags.get("session_ended"):
        receipt_session_close(response, receipt_url=url)  # the ended or broken cookie goes
    return response


def _editable(submission: Submission) -> bool:
    status = submission.consultation.status_at(timezone.now())
    return not submission.withdrawn and status == Consultation.Status.OPEN


def _withdrawable(submission: Submission) -> bool:
    """An opinion during implementation can be withdrawn (not changed) while that channel is
    open; any other while it can be changed."""
    if submission.phase != Phase.IMPLEMENTATION:
        return _editable(submission)
    try:
        check_implementation_open(submission.consultation, timezone.now())
    except NotAcceptingOpinions:
        return False
    return not submission.withdrawn


def _receipt_urls(page, request, url: str) -> dict:
    return {
        "receipt_url": url,
        "receipt_address": request.build_absolute_uri(url),  # to write down: no code in it
        "edit_url": sub_url(page, request, "receipt_edit"),
        "withdraw_url": sub_url(page, request, "receipt_withdraw"),
        "contact_delete_url": sub_url(page, request, "receipt_contact_delete"),
        "close_url": sub_url(page, request, "receipt_close"),
    }


def _receipt_context(request, page, submission: Submission, url: str) -> dict:
    context = base_context(page, request, submission.consultation)
    context.update(
        submission=submission,
        editable=_editable(submission),
        withdrawable=_withdrawable(submission),
        session_minutes=receipt_session_seconds() // 60,
        **_receipt_urls(page, request, url),
        **selectors.submission_display(submission),
    )
    from feedback.response.selectors import (
        receipt_answer,  # the answer, once the response is public
    )

    context.update(receipt_answer(submission))
    return context


@_private
def receipt_lookup(request: HttpRequest, *, page) -> HttpResponse:
    """``receipt/``: GET shows the receipt of the session, else the look-up form; POST looks
    a typed code up and opens its session."""
    url = lookup_url(page, request)
    if request.method == "POST":
        return _lookup_post(request, page, url)
    if "code" in request.GET:
        return _see_other(url)  # an address of the former GET form: the code leaves it
    submission = receipt_session_submission(request)
    if submission is None:
        return _lookup_form(request, page, url, session_ended=receipt_session_present(request))
    context = _receipt_context(request, page, submission, url)
    context.update({f"just_{flag}": flag in request.GET for flag in RECEIPT_FLAGS})
    response = TemplateResponse(request, "feedback/intake/receipt.html", context)
    return receipt_session_open(response, submission, receipt_url=url)  # renewed


def _lookup_post(request, page, url: str) -> HttpResponse:
    code = request.POST.get("code", "").strip()[:MAX_TYPED_CODE]
    if not code:
        return _lookup_form(request, page, url, status=400, missing=True)
    submission, refusal = _look_up(request, page, code)
    if refusal is not None:
        return refusal
    if submission is None:
        return _lookup_form(request, page, url, status=404, not_found=True, code=code)
    return receipt_session_open(_see_other(url), submission, receipt_url=url)


@_private
def receipt_edit(request: HttpRequest, *, page) -> HttpResponse:
    """``receipt/edit/``: the opinion of the session in the form (GET) and its POST."""
    url = lookup_url(page, request)
    submission = receipt_session_submission(request)
    if request.method != "POST":
        if submission is None or not _editable(submission):
            return _see_other(url)
        consultation = submission.consultation
        form = _form_for(
            consultation,
            initial=initial_from_submission(submission, form_parts(consultation).clauses),
            require_token=False,
        )
        response = _form_response(
            request, page, consultation, form, mode="edit", submission=submission, receipt_url=url
        )
        return receipt_session_open(response, submission, receipt_url=url)
    if submission is None:
        submission, refusal = _reopen_for_edit(request, page, url)
        if refusal is not None:
            return refusal
    consultation = submission.consultation
    extra = {"submission": submission, "receipt_url": url}
    if _too_large(request, body_limit(consultation)):
        return _too_large_response(request, page)
    form = _form_for(consultation, request.POST, require_token=False)
    if not form.is_valid():
        response = _form_response(
            request, page, consultation, form, mode="edit", status=400, **extra
        )
        return receipt_session_open(response, submission, receipt_url=url)
    request._opinion_insert_started = True  # a failure from here may follow the commit
    try:
        submission_update(submission=submission, data=form.to_data())
    except NotAcceptingOpinions as exc:
        response = _form_response(
            request,
            page,
            consultation,
            form,
            mode="edit",
            status=403,
            refused_status=exc.status,
            **extra,
        )
        return receipt_session_open(response, submission, receipt_url=url)
    return receipt_session_open(_see_other(f"{url}?updated=1"), submission, receipt_url=url)


def _reopen_for_edit(request, page, url: str):
    """A change sent after the session ended (a long text): (submission, None) when the form
    also carries the opinion's code, typed again; else (None, the form again with the text
    kept, asking for the code). Nothing is stored without the code."""
    slug = request.POST.get("consultation", "")
    consultation = published_consultation_by_slug(slug) if slug else None
    if consultation is None:
        return None, _see_other(url)
    code = request.POST.get("receipt_code", "").strip()[:MAX_TYPED_CODE]
    if code:
        found, refusal = _look_up(request, page, code)
        if refusal is not None:
            return None, refusal
        if found is not None and found.consultation_id == consultation.pk:
            return found, None
    form = _form_for(consultation, request.POST, require_token=False)
    response = _form_response(
        request,
        page,
        consultation,
        form,
        mode="edit",
        status=403,
        session_ended=True,
        code_not_found=bool(code),
        receipt_url=url,
        session_minutes=receipt_session_seconds() // 60,
    )
    return None, receipt_session_close(response, receipt_url=url)


@_private
def receipt_withdraw(request: HttpRequest, *, page) -> HttpResponse:
    """``receipt/withdraw/``: confirm (GET) and withdraw (POST) the opinion of the session."""
    url = lookup_url(page, request)
    submission = receipt_session_submission(request)
    if submission is None:
        return _see_other(url)
    if request.method == "POST":
        request._opinion_insert_started = True  # a failure from here may follow the commit
        try:
            submission_withdraw(submission=submission)
        except NotAcceptingOpinions:
            response = _see_other(url)
        else:
            response = _see_other(f"{url}?withdrawn=1")
        return receipt_session_open(response, submission, receipt_url=url)
    context = _receipt_context(request, page, submission, url)
    if not context["withdrawable"]:
        return _see_other(url)
    response = TemplateResponse(request, "feedback/intake/withdraw_confirm.html", context)
    return receipt_session_open(response, submission, receipt_url=url)


@_private
def receipt_contact_delete(request: HttpRequest, *, page) -> HttpResponse:
    """``receipt/contact/delete/`` (POST): delete the contact of the session's opinion, at any
    time (also after the close, and after the response)."""
    url = lookup_url(page, request)
    submission = receipt_session_submission(request)
    if submission is None or request.method != "POST":
        return _see_other(url)
    contact_delete_by_resident(submission)
    response = _see_other(f"{url}?contact_deleted=1")
    return receipt_session_open(response, submission, receipt_url=url)


@_private
def receipt_close(request: HttpRequest, *, page) -> HttpResponse:
    """``receipt/close/`` (POST): end the receipt session on this device."""
    url = lookup_url(page, request)
    if request.method != "POST":
        return _see_other(url)
    return receipt_session_close(_see_other(f"{url}?closed=1"), receipt_url=url)


@_private
def receipt_old_link(
    request: HttpRequest, *, page, code: str, then: str = "receipt_lookup"
) -> HttpResponse:
    """``receipt/<code>/``, ``…/edit/``, ``…/withdraw/``: links made before codes left URLs.

    The first GET of an opinion's old link opens its session and sends the browser on to the
    code-free page (``then``; 303, so the code leaves the address bar); afterwards the same
    link leads to the look-up form. Nothing else is done through them: other methods (a
    form of a page loaded before) go to the receipt address and change nothing.
    """
    url = lookup_url(page, request)
    if request.method != "GET":
        return _see_other(url)
    submission, refusal = _look_up(request, page, code)
    if refusal is not None:
        return refusal
    if submission is None:
        return _lookup_form(request, page, url, status=404, not_found=True)
    if not old_link_claim(submission):
        return _see_other(f"{url}?link_used=1")
    response = _see_other(sub_url(page, request, then))
    return receipt_session_open(response, submission, receipt_url=url)
