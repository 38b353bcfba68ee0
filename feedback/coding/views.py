"""The coding screens in the Wagtail admin: the coding frame and the fast one-opinion screen.

Every action is a plain POST followed by a redirect, so the screens work without JavaScript;
``feedback/static/feedback/coding.js`` adds keyboard shortcuts and sends the same POSTs with
fetch(), swapping the page's main part instead of reloading it.
"""

# Size: the frame, the one-opinion screen and the suggestion views share the screen's context and
# its helpers (filters, URLs, 400 for malformed ids); split with the next screen that is added.

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consultations.models import Consultation
from consultations.roles import is_site_admin, user_department_id
from feedback.coding import selectors, services, suggest
from feedback.coding.permissions import can_code, can_code_anything
from feedback.coding.selectors import Filter
from feedback.models import CampaignGroup, ClauseComment, Concern, StaffJob, Submission, Suggestion
from feedback.privacy.masking import mask_text

# --- helpers ----------------------------------------------------------------------------------


def _consultation(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = get_object_or_404(
        Consultation.objects.select_related("department"), pk=consultation_id
    )
    if not can_code(request.user, consultation):
        raise PermissionDenied
    return consultation


def _submission(consultation: Consultation, submission_id: int) -> Submission:
    # Opinions during implementation (issue 16 point 5) are not coded into the response.
    return get_object_or_404(
        Submission, pk=submission_id, consultation=consultation, phase="consultation"
    )


def _filter_params(data) -> dict[str, str]:
    f = data.get("f") or Filter.UNCODED
    if f not in Filter.CHOICES:
        f = Filter.UNCODED
    params = {"f": f}
    theme = data.get("theme") or ""
    if f == Filter.THEME and theme.isdigit():
        params["theme"] = theme
    return params


def _screen_url(consultation_id: int, submission_id: int | None, params: dict) -> str:
    if submission_id is None:
        url = reverse("feedback_coding:screen_start", args=[consultation_id])
    else:
        url = reverse("feedback_coding:screen", args=[consultation_id, submission_id])
    return f"{url}?{urlencode(params)}"


def _number(value, what: str) -> int:
    """A row id from a form: malformed values are a bad request (400), never a server error."""
    if not str(value or "").isdigit():
        raise BadRequest(_("The form sent an invalid %(what)s.") % {"what": what})
    return int(value)


def _theme(consultation: Consultation, theme_id) -> services.Theme:
    theme_id = _number(theme_id, _("theme"))
    return get_object_or_404(services.Theme, pk=theme_id, consultation=consultation)


def _error(request: HttpRequest, exc: Exception) -> None:
    messages.error(request, str(exc))


# --- choose a consultation --------------------------------------------------------------------


def choose(request: HttpRequest) -> HttpResponse:
    if not can_code_anything(request.user):
        raise PermissionDenied
    consultations = Consultation.objects.published().select_related("department")
    if not is_site_admin(request.user):
        consultations = consultations.filter(department_id=user_department_id(request.user))
    rows = [
        (c, selectors.coding_progress(c)) for c in consultations.order_by("-opens_at", "-pk")[:100]
    ]
    return TemplateResponse(request, "feedback/coding/admin/choose.html", {"rows": rows})


# --- the coding frame -------------------------------------------------------------------------


class ThemeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=160, required=False)
    concern = forms.ChoiceField(
        label=gettext_lazy("Concern family"), choices=Concern.choices, initial=Concern.OTHER
    )
    shortcut = forms.CharField(
        label=gettext_lazy("Keyboard shortcut"),
        max_length=1,
        required=False,
        help_text=gettext_lazy("One letter or digit, pressed on the coding screen."),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    sort_order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, required=False)


def frame(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    status = 200
    if request.method == "POST":
        form = ThemeForm(request.POST)
        if form.is_valid():
            try:
                theme = services.theme_create(
                    user=request.user, consultation=consultation, **form.cleaned_data
                )
            except services.CodingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Theme “%(name)s” added.") % {"name": theme.name})
                return redirect("feedback_coding:frame", consultation.pk)
        status = 400
    else:
        form = ThemeForm()
    candidates = list(selectors.candidate_themes(consultation, Suggestion.Decision.PENDING))
    example_ids = {pk for candidate in candidates for pk in candidate.example_ids or []}
    texts = suggest.opinion_texts(consultation, example_ids) if example_ids else {}
    for candidate in candidates:
        # Masked like every staff screen: a keyword or a label can be a repeated phone number.
        candidate.example_list = [
            mask_text(texts[pk]) for pk in candidate.example_ids if pk in texts
        ]
        candidate.label = mask_text(candidate.label)
        candidate.keywords = [mask_text(word) for word in candidate.keywords or []]
    decided = list(
        selectors.candidate_themes(consultation).exclude(decision=Suggestion.Decision.PENDING)[:50]
    )
    for candidate in decided:
        candidate.label = mask_text(candidate.label)
    context = {
        "consultation": consultation,
        "themes": selectors.themes_with_counts(consultation),
        "form": form,
        "progress": selectors.coding_progress(consultation),
        "candidates": candidates,
        "decided_candidates": decided,
        "concerns": Concern.choices,
        "job": selectors.latest_suggestion_job(consultation),
        "evaluation": suggest.screen_evaluation(consultation),
    }
    return TemplateResponse(request, "feedback/coding/admin/frame.html", context, status=status)


def theme_edit(request: HttpRequest, consultation_id: int, theme_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    theme = _theme(consultation, theme_id)
    status = 200
    if request.method == "POST":
        form = ThemeForm(request.POST)
        if form.is_valid():
            changes = dict(form.cleaned_data)
            if changes["sort_order"] is None:
                changes.pop("sort_order")
            try:
                services.theme_update(user=request.user, theme=theme, **changes)
            except services.CodingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Theme saved."))
                return redirect("feedback_coding:frame", consultation.pk)
        status = 400
    else:
        form = ThemeForm(initial={name: getattr(theme, name) for name in services.THEME_FIELDS})
    context = {"consultation": consultation, "theme": theme, "form": form}
    return TemplateResponse(
        request, "feedback/coding/admin/theme_form.html", context, status=status
    )


# --- the one-opinion screen -------------------------------------------------------------------


def screen_start(request: HttpRequest, consultation_id: int) -> HttpResponse:
    """The first opinion of the chosen filter, or a page saying there is none."""
    consultation = _consultation(request, consultation_id)
    params = _filter_params(request.GET)
    first = (
        selectors.queue(consultation, params["f"], params.get("theme"))
        .values_list("pk", flat=True)
        .first()
    )
    if first is not None:
        return redirect(_screen_url(consultation.pk, first, params))
    context = _screen_context(request, consultation, None, params)
    return TemplateResponse(request, "feedback/coding/admin/screen.html", context)


def _screen_context(request, consultation, submission, params) -> dict:
    qs = selectors.queue(consultation, params["f"], params.get("theme"))
    context = {
        "consultation": consultation,
        "submission": submission,
        "params": params,
        "query": urlencode(params),
        "filters": [
            (Filter.UNCODED, _("left to do")),
            (Filter.ALL, _("all opinions")),
            (Filter.SUGGESTED, _("with a suggestion")),
            (Filter.NO_THEME, _("marked 'no theme'")),
            (Filter.THEME, _("with the theme")),
        ],
        "themes": list(selectors.themes_with_counts(consultation)),
        "progress": selectors.coding_progress(consultation),
        "evaluation": suggest.screen_evaluation(consultation),
        "job": selectors.latest_suggestion_job(consultation),
        "in_queue": qs.count(),
    }
    if submission is not None and submission.withdrawn:
        # Withdrawn means withdrawn: its number and that word, nothing of what it said.
        prev_id, next_id = selectors.neighbours(qs, submission)
        context.update(
            {
                "submission": None,
                "withdrawn_id": submission.pk,
                "prev_url": _screen_url(consultation.pk, prev_id, params) if prev_id else "",
                "next_url": _screen_url(consultation.pk, next_id, params) if next_id else "",
            }
        )
    elif submission is not None:
        prev_id, next_id = selectors.neighbours(qs, submission)
        context.update(selectors.opinion_for_coding(submission))
        context.update(
            {
                "prev_url": _screen_url(consultation.pk, prev_id, params) if prev_id else "",
                "next_url": _screen_url(consultation.pk, next_id, params) if next_id else "",
                "suggestions": list(selectors.pending_opinion_suggestions(submission)),
                "position": _position(qs, submission),  # 0: not in the list (none shown)
            }
        )
    return context


def _position(qs, submission: Submission) -> int:
    """1-based place of ``submission`` in ``qs`` (arrival order, as ``selectors.queue`` sorts
    it), 0 when it is not in ``qs``."""
    if not qs.filter(pk=submission.pk).exists():
        return 0
    before = Q(received_at__lt=submission.received_at) | Q(
        received_at=submission.received_at, pk__lt=submission.pk
    )
    return qs.filter(before).count() + 1


def screen(request: HttpRequest, consultation_id: int, submission_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    submission = _submission(consultation, submission_id)
    params = _filter_params(request.GET)
    context = _screen_context(request, consultation, submission, params)
    return TemplateResponse(request, "feedback/coding/admin/screen.html", context)


@require_POST
def code_view(request: HttpRequest, consultation_id: int, submission_id: int) -> HttpResponse:
    """Add or remove a theme on the opinion or on one of its clause comments."""
    consultation = _consultation(request, consultation_id)
    submission = _submission(consultation, submission_id)
    params = _filter_params(request.POST)
    theme = _theme(consultation, request.POST.get("theme"))
    clause_comment = None
    if request.POST.get("clause_comment"):
        clause_comment = get_object_or_404(
            ClauseComment,
            pk=_number(request.POST["clause_comment"], _("clause comment")),
            submission=submission,
        )
    op = request.POST.get("op", "toggle")
    try:
        if op == "toggle":
            has = submission.codings.filter(theme=theme, clause_comment=clause_comment).exists()
            op = "remove" if has else "add"
        if op == "remove":
            services.uncode(request.user, submission, theme, clause_comment)
        else:
            services.code(request.user, submission, theme, clause_comment)
    except services.CodingError as exc:
        _error(request, exc)
    return redirect(_screen_url(consultation.pk, submission.pk, params))


@require_POST
def no_theme_view(request: HttpRequest, consultation_id: int, submission_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    submission = _submission(consultation, submission_id)
    params = _filter_params(request.POST)
    try:
        if request.POST.get("op") == "clear":
            services.clear_no_theme(request.user, submission)
        else:
            services.mark_no_theme(request.user, submission, request.POST.get("reason", ""))
            qs = selectors.queue(consultation, params["f"], params.get("theme"))
            _prev, next_id = selectors.neighbours(qs, submission)
            if next_id:
                return redirect(_screen_url(consultation.pk, next_id, params))
    except services.CodingError as exc:
        _error(request, exc)
    return redirect(_screen_url(consultation.pk, submission.pk, params))


@require_POST
def group_view(request: HttpRequest, consultation_id: int, submission_id: int) -> HttpResponse:
    """Apply a theme to every opinion of the campaign group the opinion belongs to."""
    consultation = _consultation(request, consultation_id)
    submission = _submission(consultation, submission_id)
    params = _filter_params(request.POST)
    theme = _theme(consultation, request.POST.get("theme"))
    group = get_object_or_404(
        CampaignGroup, members__submission=submission, consultation=consultation
    )
    try:
        count = services.code_group(request.user, group, theme)
    except services.CodingError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            _("Theme “%(theme)s” applied to %(count)s more opinions of the group.")
            % {"theme": theme.name, "count": count},
        )
    return redirect(_screen_url(consultation.pk, submission.pk, params))


# --- suggestions ------------------------------------------------------------------------------


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
def suggestion_decide(
    request: HttpRequest, consultation_id: int, suggestion_id: int, decision: str
) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    if decision not in ("accept", "reject"):
        raise Http404
    suggestion = get_object_or_404(Suggestion, pk=suggestion_id, consultation=consultation)
    fallback = reverse("feedback_coding:frame", args=[consultation.pk])
    try:
        if decision == "accept":
            concern = request.POST.get("concern") or Concern.OTHER
            services.suggestion_accept(
                request.user,
                suggestion,
                name=request.POST.get("name", "").strip(),
                concern=concern,
                shortcut=request.POST.get("shortcut", ""),
            )
        else:
            services.suggestion_reject(request.user, suggestion)
    except services.CodingError as exc:
        _error(request, exc)
    return redirect(_back(request, fallback))


@require_POST
def suggestions_generate(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    job = suggest.start_suggestions(request.user, consultation)
    return redirect("feedback_coding:job", consultation.pk, job.pk)


def job_view(request: HttpRequest, consultation_id: int, job_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    job = get_object_or_404(
        StaffJob, pk=job_id, consultation=consultation, kind=selectors.SUGGESTION_JOB_KIND
    )
    context = {
        "consultation": consultation,
        "job": job,
        "running": job.status in (StaffJob.Status.QUEUED, StaffJob.Status.RUNNING),
        "result": (job.params or {}).get("result") or {},
        "evaluation": suggest.screen_evaluation(consultation),
    }
    return TemplateResponse(request, "feedback/coding/admin/job.html", context)
