"""Public view of the opinion form, served through the consultation index page (the receipt
pages are in ``receipt_views``; a stored opinion leads to them through ``receipt_session``).

The routable-page methods in ``cms/routes_feedback.py`` call these with the index ``page`` (for
URLs and the base template). Everything works with plain POST and no JavaScript.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from consultations.models import Consultation
from feedback.intake import ratelimit, selectors
from feedback.intake.forms import MAX_COMMENT, OpinionForm
from feedback.intake.receipt_session import to_receipt
from feedback.intake.services import NotAcceptingOpinions, submission_create
from feedback.models import Submission
from feedback.web import (
    base_context,
    never_cache,
    published_consultation_by_slug,
    routed_page_url,
)

BASE_BODY_BYTES = 16_384
# A comment of 5,000 CJK characters is up to 45,000 bytes once percent-encoded.
BYTES_PER_TEXT_FIELD = MAX_COMMENT * 9


@dataclass(frozen=True)
class FormParts:
    alternatives: list
    questions: list
    clauses: list
    # The form's fields built from these parts, per (form class, language): OpinionForm's
    # ``field_cache``.
    fields: dict = field(default_factory=dict, compare=False)
    # The empty form page rendered with slots, per consultation row version, language,
    # preferences and links (``cms.page_cache``; docs/adr/0008-opinion-form-cache.md).
    pages: dict = field(default_factory=dict, compare=False)


# The alternatives, questions and clauses behind a consultation's form, kept per process so
# that a POST does not read them again. While a consultation is open its questions and clauses
# are frozen (consultations/admin_forms.py), and every edit published through the admin saves
# the row, which changes ``updated_at``: (pk, updated_at) identifies the parts. The short
# lifetime bounds what a change made without saving the row (a shell, a script) leaves behind.
FORM_PARTS_SECONDS = 60.0
FORM_PARTS_MAX = 64
_form_parts: dict[tuple, tuple[float, FormParts]] = {}


def forget_form_parts() -> None:
    """Forget the kept form parts and the form pages kept with them (tests)."""
    _form_parts.clear()


def form_parts(consultation: Consultation) -> FormParts:
    key = (consultation.pk, consultation.updated_at)
    now = time.monotonic()
    cached = _form_parts.get(key)
    if cached is not None and now - cached[0] < FORM_PARTS_SECONDS:
        return cached[1]
    parts = FormParts(
        alternatives=list(selectors.form_alternatives(consultation)),
        questions=list(selectors.form_questions(consultation)),
        clauses=list(selectors.form_clauses(consultation)),
    )
    if len(_form_parts) >= FORM_PARTS_MAX:
        _form_parts.clear()
    _form_parts[key] = (now, parts)
    return parts


def _form_for(consultation: Consultation, *args, form_class=OpinionForm, **kwargs) -> OpinionForm:
    parts = form_parts(consultation)
    return form_class(
        *args,
        consultation=consultation,
        alternatives=parts.alternatives,
        questions=parts.questions,
        clauses=parts.clauses,
        field_cache=parts.fields,
        **kwargs,
    )


def body_limit(consultation: Consultation) -> int:
    """The largest body a valid opinion form for ``consultation`` can have, with room to spare.

    Checked from Content-Length before the body is read; DATA_UPLOAD_MAX_MEMORY_SIZE is the
    site-wide ceiling behind it.
    """
    parts = form_parts(consultation)
    texts = 1 + len(parts.clauses) + len(parts.questions)
    return BASE_BODY_BYTES + texts * BYTES_PER_TEXT_FIELD


def _too_large(request: HttpRequest, limit: int) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > limit


def rate_limited_response(request, page, limited: ratelimit.Limited) -> HttpResponse:
    minutes = max(1, (limited.retry_after + 59) // 60)
    context = base_context(page, request)
    context.update(retry_after=limited.retry_after, retry_minutes=minutes)
    response = TemplateResponse(request, "feedback/intake/rate_limited.html", context, status=429)
    response["Retry-After"] = str(limited.retry_after)
    return response


def _too_large_response(request, page) -> HttpResponse:
    return TemplateResponse(
        request, "feedback/intake/too_large.html", base_context(page, request), status=413
    )


def new_form_context(page, consultation: Consultation, consultation_url: str, *, token) -> dict:
    """Context of the empty opinion form without the request, for a page rendered once and
    filled in per request (``cms.page_cache``): ``token`` stands in for the idempotency token.
    The same as ``opinion_form`` gives a GET, apart from the request's own context (CSRF token,
    path, preferences, messages)."""
    context = {"page": page, "self": page, "privacy_url": "/privacy/"}
    context.update(consultation=consultation, consultation_url=consultation_url, mode="new")
    context["form"] = _form_for(consultation, initial={"token": token})
    return context


def _form_response(request, page, consultation, form, *, mode: str, status: int = 200, **extra):
    context = base_context(page, request, consultation)
    context.update(form=form, mode=mode, **extra)
    return TemplateResponse(request, "feedback/intake/opinion_form.html", context, status=status)


@never_cache
def opinion_form(
    request: HttpRequest,
    *,
    page,
    slug: str,
    consultation: Consultation | None = None,
    route_version: str | None = None,
) -> HttpResponse:
    """The form (GET) and its POST. ``consultation`` may come preloaded by the routing shortcut
    with only the fields the POST path reads (status, version); pages rendered for it read the
    whole row (``base_context``). With ``route_version`` (a routing row remembered for a
    moment, ``cms.page_cache``), the opinion is stored only if the consultation row is still
    that version; otherwise ``StaleRoute`` is raised before anything is stored or counted."""
    if consultation is None:
        consultation = published_consultation_by_slug(slug)
    if consultation is None:
        raise Http404
    status = consultation.status_at(timezone.now())
    if request.method != "POST":
        if status != Consultation.Status.OPEN:
            context = base_context(page, request, consultation)
            context["not_open_status"] = status
            return TemplateResponse(request, "feedback/intake/not_open.html", context)
        return _form_response(request, page, consultation, _form_for(consultation), mode="new")

    if _too_large(request, body_limit(consultation)):
        return _too_large_response(request, page)
    base = routed_page_url(page, request, "opinion_form", slug=slug)
    # Counted first, in a statement and transaction of their own, never in the opinion's: no
    # row of the opinion's transaction names its network (issue 12). A request routed again
    # after a stale route (cms.fast_route) was counted on its first try.
    if not getattr(request, "_opinion_counted", False):
        request._opinion_counted = True
        refusal = _count_or_refuse(request, page, consultation, status, base)
        if refusal is not None:
            return refusal
    form = _form_for(consultation, request.POST)
    if status != Consultation.Status.OPEN:
        # Say first that the period is over, rather than asking to fix a form that cannot count.
        return _form_response(
            request, page, consultation, form, mode="new", status=403, refused_status=status
        )
    if not form.is_valid():
        return _form_response(request, page, consultation, form, mode="new", status=400)
    # From here a failure cannot say for certain that nothing was stored (cms.errors).
    request._opinion_insert_started = True
    try:
        submission, created = submission_create(
            consultation=consultation,
            data=form.to_data(),
            token=form.cleaned_data["token"],
            route_version=route_version,
        )
    except NotAcceptingOpinions as exc:
        return _form_response(
            request, page, consultation, form, mode="new", status=403, refused_status=exc.status
        )
    # The transaction has committed: only now is the receipt shown (post/redirect/get).
    return _to_receipt(request, page, submission, "sent" if created else "again", base=base)


def _count_or_refuse(request, page, consultation, status, base: str) -> HttpResponse | None:
    """Count the request against the limits; the response when it is refused for the limit
    (a retry of a stored form gets its receipt, also past a limit or the close)."""
    limited = ratelimit.check_submission(request, consultation)
    if limited or status != Consultation.Status.OPEN:
        # (In the usual case no look-up is needed: the INSERT itself finds a stored token.)
        done = _stored_with_token(request, consultation)
        if done is not None:
            return _to_receipt(request, page, done, "again", base=base)
    if limited:
        return rate_limited_response(request, page, limited)
    return None


def _stored_with_token(request: HttpRequest, consultation: Consultation) -> Submission | None:
    try:
        token = uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        return None
    return Submission.objects.filter(idempotency_token=token, consultation=consultation).first()


def _to_receipt(
    request, page, submission: Submission, flag: str = "", *, base: str | None = None
) -> HttpResponse:
    # The code-free receipt page, with a receipt session for this opinion (issue 12).
    return to_receipt(request, page, submission, flag, base=base)
