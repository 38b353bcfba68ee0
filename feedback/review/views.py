"""Screens of public display and moderation (R51): staff screens in the Wagtail admin and the
public page of opinions shown under pseudonyms.

Staff see each opinion as the public would: pseudonym, date, stance and masked text, with a
flag saying what kinds of personal details masking removed (docs/moderation-guide.md says which
roles see raw text, and why). They never see the receipt code or contact details here.
Everything works with plain POST and no JavaScript.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consultations.models import Consultation
from feedback.intake import selectors
from feedback.models import DisplayMode, ModerationState, Phase
from feedback.privacy.pseudonyms import pseudonym
from feedback.review import moderation
from feedback.search.results import public_results
from feedback.web import consultation_page_url, published_consultation_by_slug

QUEUE_PAGE_SIZE = 25
PUBLIC_PAGE_SIZE = 20


class DisplaySettingsForm(forms.Form):
    enabled = forms.BooleanField(
        label=gettext_lazy("Show individual opinions in public"), required=False
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Moderation mode"),
        choices=DisplayMode.choices,
        widget=forms.RadioSelect,
    )


class ModerationForm(forms.Form):
    state = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[
            (ModerationState.SHOWN, gettext_lazy("show")),
            (ModerationState.HIDDEN, gettext_lazy("hide")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=moderation.REASON_MAX, strip=True, required=False
    )


def reason_suggestions() -> list[str]:
    """Offered in a <datalist>; moderators may write any reason."""
    return [
        _("No prohibited content"),
        _("Prohibited content (Cybersecurity Law Art. 12)"),
        _("Personal information of another person"),
    ]


# --- Staff screens -------------------------------------------------------------------------


def _consultation_for_moderator(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = get_object_or_404(
        Consultation.objects.published().select_related("department"), pk=consultation_id
    )
    if not moderation.can_moderate(request.user, consultation):
        raise PermissionDenied
    return consultation


def review_index(request: HttpRequest) -> HttpResponse:
    if not moderation.may_moderate_anything(request.user):
        raise PermissionDenied
    consultations = list(
        moderation.moderated_consultations(request.user)
        .select_related("department", "public_display")
        .order_by("-opens_at", "-pk")[:200]
    )
    pending = moderation.pending_counts(c.pk for c in consultations)
    rows = [(c, moderation.display_settings(c), pending.get(c.pk, 0)) for c in consultations]
    return TemplateResponse(request, "feedback/review/admin/index.html", {"rows": rows})


def _queue_url(consultation_id: int, state: str = "", page: str = "") -> str:
    url = reverse("feedback_review:queue", args=[consultation_id])
    query = "&".join(
        f"{name}={value}" for name, value in (("state", state), ("page", page)) if value
    )
    return f"{url}?{query}" if query else url


def review_queue(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_for_moderator(request, consultation_id)
    state = request.GET.get("state", "")
    if state not in moderation.QUEUE_FILTERS:
        state = ""
    setting = moderation.display_settings(consultation)
    paginator = Paginator(moderation.moderation_queue(consultation, state), QUEUE_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    this_url = _queue_url(consultation.pk, state, str(page_obj.number))
    filters = [
        (value, label, _queue_url(consultation.pk, value))
        for value, label in (
            ("", _("all (awaiting first)")),
            (ModerationState.PENDING, _("awaiting moderation")),
            (moderation.FLAGGED_FILTER, _("awaiting, may contain personal details")),
            (ModerationState.SHOWN, _("shown")),
            (ModerationState.HIDDEN, _("hidden")),
        )
    ]
    context = {
        "consultation": consultation,
        "setting": setting,
        "can_change_display": moderation.can_change_display(request.user, consultation),
        "display_form": DisplaySettingsForm(
            initial={"enabled": setting.enabled, "mode": setting.mode}
        ),
        "page_obj": page_obj,
        "opinions": page_obj.object_list,
        "state": state,
        "filters": filters,
        "this_url": this_url,
        "reason_suggestions": reason_suggestions(),
        "counts": selectors.submission_counts(consultation),
        "pending_count": moderation.pending_counts([consultation.pk]).get(consultation.pk, 0),
        "flagged_count": moderation.flagged_pending_count(consultation),
        "mode_labels": dict(DisplayMode.choices),
    }
    return TemplateResponse(request, "feedback/review/admin/queue.html", context)


def _back(request: HttpRequest, consultation_id: int) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not (
        target.startswith("/")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        target = _queue_url(consultation_id)
    return HttpResponseRedirect(target)


@require_POST
def review_display(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation_for_moderator(request, consultation_id)
    if not moderation.can_change_display(request.user, consultation):
        raise PermissionDenied
    form = DisplaySettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a moderation mode."))
        return _back(request, consultation.pk)
    moderation.display_settings_update(
        request.user, consultation, form.cleaned_data["enabled"], form.cleaned_data["mode"]
    )
    if form.cleaned_data["enabled"]:
        messages.success(request, _("Opinions of this consultation are now shown in public."))
    else:
        messages.success(request, _("Opinions of this consultation are not shown in public."))
    return _back(request, consultation.pk)


@require_POST
def review_moderate(request: HttpRequest, consultation_id: int, submission_id: int) -> HttpResponse:
    consultation = _consultation_for_moderator(request, consultation_id)
    submission = get_object_or_404(
        moderation.displayable(consultation).select_related("consultation"), pk=submission_id
    )
    name = pseudonym(submission.pk)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("%(name)s: choose show or hide. Nothing was changed.") % {"name": name},
        )
        return _back(request, consultation.pk)
    try:
        moderation.moderate(
            request.user, submission, form.cleaned_data["state"], form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(
            request,
            _("%(name)s: %(problem)s Nothing was changed.")
            % {"name": name, "problem": " ".join(exc.messages)},
        )
        return _back(request, consultation.pk)
    if form.cleaned_data["state"] == ModerationState.SHOWN:
        messages.success(request, _("%(name)s is shown in public.") % {"name": name})
    else:
        messages.success(request, _("%(name)s is hidden; it is still counted.") % {"name": name})
    return _back(request, consultation.pk)


# --- Public page ---------------------------------------------------------------------------


def public_opinions_page(request: HttpRequest, *, page, slug: str) -> HttpResponse:
    """``/consultations/<slug>/opinions/``: 404 unless the consultation shows opinions."""

    consultation = published_consultation_by_slug(slug)
    if consultation is None:
        raise Http404
    setting = moderation.display_settings(consultation)
    if not setting.enabled:
        raise Http404
    query = request.GET.get("q", "")[:200].strip()
    results = None
    if query:  # the residents' search (feedback.search): only what this page shows
        results = public_results(
            moderation.public_queryset(consultation),
            query,
            request.GET.get("page"),
            moderation.present,
            PUBLIC_PAGE_SIZE,
        )
        page_obj = None
    else:
        paginator = Paginator(moderation.public_opinions(consultation), PUBLIC_PAGE_SIZE)
        page_obj = paginator.get_page(request.GET.get("page"))
    context = {
        "query": query,
        "results": results,
        "page": page,
        "self": page,
        "consultation": consultation,
        "consultation_url": consultation_page_url(page, request, consultation),
        "setting": setting,
        "page_obj": page_obj,
        "opinions": results.rows if results is not None else page_obj.object_list,
        "counts": selectors.submission_counts(consultation, Phase.CONSULTATION),
        "pre_moderation": setting.mode == DisplayMode.PRE,
    }
    return TemplateResponse(request, "feedback/review/public_opinions.html", context)
