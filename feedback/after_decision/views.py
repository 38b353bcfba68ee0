"""Public pages of the channel after the decision, served through the consultation index page
(``cms/routes_feedback.py``): ``<slug>/implementation/`` (the short form, GET and POST) and
``<slug>/implementation/opinions/`` (the opinions staff published). Plain POST, no JavaScript.

The POST follows the opinion form's path (``feedback.intake.views.opinion_form``): the body size
is checked, the request is counted against the same rate limits in a statement of its own, a
stored token gets its receipt again, the form is cleaned, the opinion stored in one statement,
and only after the commit is the receipt shown (post/redirect/get).
"""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from feedback.after_decision import selectors
from feedback.after_decision.forms import ImplementationOpinionForm
from feedback.after_decision.services import implementation_opinion_create
from feedback.intake import ratelimit
from feedback.intake.forms import MAX_COMMENT
from feedback.intake.receipt_session import to_receipt
from feedback.intake.services import NotAcceptingOpinions
from feedback.models import Submission
from feedback.review.moderation import present
from feedback.web import (
    base_context,
    never_cache,
    published_consultation_by_slug,
    routed_page_url,
)

FORM_ROUTE = "implementation_form"
# Room for a comment of 5,000 CJK characters percent-encoded, the contact and the token.
BODY_LIMIT = 16_384 + MAX_COMMENT * 9
PAGE_SIZE = 50


def _consultation(slug: str):
    consultation = published_consultation_by_slug(slug)
    if consultation is None:
        raise Http404
    return consultation


def _render(request, page, consultation, form, *, status=200, **extra) -> HttpResponse:
    context = base_context(page, request, consultation)
    context.update(
        form=form,
        implementation=selectors.implementation_status(consultation),
        **extra,
    )
    return TemplateResponse(
        request, "feedback/after_decision/opinion_form.html", context, status=status
    )


def _rate_limited(request, page, limited: ratelimit.Limited) -> HttpResponse:
    """The opinion form's refusal page for a limit (``feedback/intake/rate_limited.html``)."""
    context = base_context(page, request)
    context.update(
        retry_after=limited.retry_after, retry_minutes=max(1, (limited.retry_after + 59) // 60)
    )
    response = TemplateResponse(request, "feedback/intake/rate_limited.html", context, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def _stored_with_token(request: HttpRequest, consultation) -> Submission | None:
    try:
        token = uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        return None
    return Submission.objects.filter(idempotency_token=token, consultation=consultation).first()


@never_cache
def implementation_form(request: HttpRequest, *, page, slug: str) -> HttpResponse:
    consultation = _consultation(slug)
    is_open = selectors.implementation_open(consultation)
    if request.method != "POST":
        if not is_open:
            return _render(request, page, consultation, None, not_open=True)
        return _render(
            request, page, consultation, ImplementationOpinionForm(consultation=consultation)
        )
    try:
        too_large = int(request.META.get("CONTENT_LENGTH") or 0) > BODY_LIMIT
    except ValueError:
        too_large = True
    if too_large:
        return TemplateResponse(
            request, "feedback/intake/too_large.html", base_context(page, request), status=413
        )
    base = routed_page_url(page, request, FORM_ROUTE, slug=slug)
    limited = ratelimit.check_submission(request, consultation)
    if limited or not is_open:
        done = _stored_with_token(request, consultation)
        if done is not None:  # a retry of a stored form gets its receipt, also past a limit
            return to_receipt(request, page, done, "again", base=base)
    if limited:
        return _rate_limited(request, page, limited)
    form = ImplementationOpinionForm(request.POST, consultation=consultation)
    if not is_open:
        return _render(request, page, consultation, form, status=403, refused=True)
    if not form.is_valid():
        return _render(request, page, consultation, form, status=400)
    request._opinion_insert_started = True  # from here a failure may follow the commit
    try:
        submission, created = implementation_opinion_create(
            consultation=consultation, data=form.to_data(), token=form.cleaned_data["token"]
        )
    except NotAcceptingOpinions:
        return _render(request, page, consultation, form, status=403, refused=True)
    return to_receipt(request, page, submission, "sent" if created else "again", base=base)


def implementation_opinions(request: HttpRequest, *, page, slug: str) -> HttpResponse:
    """The opinions during implementation that staff published: pseudonym, date, masked text
    (``feedback.review.moderation.present``, as on the public opinions page); never a contact."""
    consultation = _consultation(slug)
    if consultation.stage != consultation.Stage.DECIDED:
        raise Http404
    paginator = Paginator(selectors.public_implementation_opinions(consultation), PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    context = base_context(page, request, consultation)
    context.update(
        implementation=selectors.implementation_status(consultation),
        page_obj=page_obj,
        opinions=present(list(page_obj.object_list)),
    )
    return TemplateResponse(request, "feedback/after_decision/public_opinions.html", context)
