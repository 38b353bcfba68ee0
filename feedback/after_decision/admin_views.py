"""Staff screens of the channel after the decision (issue 16 point 5), scoped to the department:
the decided consultations, and per consultation the opinions during implementation (counts only;
moderation is on the moderation screen), the prompt past the threshold, opening the
post-decision evaluation (``consultations.followup``) and the notices to residents (counts only,
never a contact)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations.followup import can_open_follow_up, follow_up_open
from consultations.models import Consultation
from consultations.permissions import consultations_visible_to
from consultations.rules import ConsultationRuleError
from feedback.after_decision import selectors
from feedback.after_decision.notify import FOLLOW_UP
from feedback.after_decision.services import follow_up_notices_queue
from feedback.models import ModerationState, Phase
from feedback.response.notify import notification_summary

SCREEN = "feedback_after_decision:screen"


def may_use_screens(user) -> bool:
    from feedback.response.permissions import may_use_response_screens

    return may_use_response_screens(user)


def _consultation(request: HttpRequest, consultation_id: int) -> Consultation:
    consultation = get_object_or_404(Consultation.objects.all(), pk=consultation_id)
    if not can_open_follow_up(request.user, consultation):
        raise PermissionDenied
    return consultation


def after_decision_choose(request: HttpRequest) -> HttpResponse:
    if not may_use_screens(request.user):
        raise PermissionDenied
    rows = list(
        consultations_visible_to(request.user)
        .filter(live=True, stage=Consultation.Stage.DECIDED)
        .select_related("department")
        .annotate(
            implementation=Count("submissions", filter=Q(submissions__phase=Phase.IMPLEMENTATION))
        )
        .order_by("-decided_at", "pk")[:200]
    )
    threshold = selectors.review_threshold()
    return TemplateResponse(
        request,
        "feedback/after_decision/admin/choose.html",
        {"rows": rows, "threshold": threshold},
    )


def _figures(consultation: Consultation) -> dict:
    rows = selectors.implementation_submissions(consultation)
    counts = rows.aggregate(
        n_received=Count("pk"),
        n_withdrawn=Count("pk", filter=Q(withdrawn=True)),
        n_shown=Count("pk", filter=Q(moderation_state=ModerationState.SHOWN, withdrawn=False)),
        n_hidden=Count("pk", filter=Q(moderation_state=ModerationState.HIDDEN, withdrawn=False)),
        n_with_contact=Count("pk", filter=~Q(contact_ref="")),
    )
    return {key.removeprefix("n_"): value for key, value in counts.items()}


def after_decision_screen(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    status = selectors.implementation_status(consultation)
    context = {
        "consultation": consultation,
        "status": status,
        "figures": _figures(consultation),
        "notices": notification_summary(consultation, FOLLOW_UP) if status.follow_up else None,
        "follow_up_edit_url": (
            reverse("wagtailsnippets_consultations_consultation:edit", args=[status.follow_up.pk])
            if status.follow_up
            else ""
        ),
        "moderation_url": reverse("feedback_review:queue", args=[consultation.pk]),
        "chain_url": reverse("consultations_admin:decision_chain", args=[consultation.pk]),
    }
    return TemplateResponse(request, "feedback/after_decision/admin/screen.html", context)


@require_POST
def follow_up_open_view(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    try:
        follow_up = follow_up_open(consultation=consultation, user=request.user)
    except ConsultationRuleError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(SCREEN, consultation.pk)
    messages.success(
        request,
        _(
            "The post-decision evaluation was opened as a draft. Complete it and submit it for "
            "approval; the residents who left a contact are told when it is published."
        ),
    )
    return redirect("wagtailsnippets_consultations_consultation:edit", follow_up.pk)


@require_POST
def follow_up_notices_view(request: HttpRequest, consultation_id: int) -> HttpResponse:
    consultation = _consultation(request, consultation_id)
    if not FOLLOW_UP.ready(consultation):
        messages.error(request, _("The post-decision evaluation is not published yet."))
        return redirect(SCREEN, consultation.pk)
    queued = follow_up_notices_queue(user=request.user, consultation=consultation)
    messages.success(
        request, _("%(n)s notices are queued; each is sent at most once.") % {"n": queued}
    )
    return redirect(SCREEN, consultation.pk)


def decision_chain_panel(request: HttpRequest, consultation: Consultation) -> str:
    """The part of the decision chain screen (``consultations.decision_views``) about the
    channel after the decision: the count and, past the threshold, the prompt."""
    if consultation.stage != Consultation.Stage.DECIDED or not can_open_follow_up(
        request.user, consultation
    ):
        return ""
    return render_to_string(
        "feedback/after_decision/admin/_chain_panel.html",
        {
            "status": selectors.implementation_status(consultation),
            "screen_url": reverse(SCREEN, args=[consultation.pk]),
        },
        request=request,
    )
