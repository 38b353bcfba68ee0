"""What waits for a staff member, counted on the Wagtail home page (issue 15).

One panel, rows by role: the department's consultations being prepared and awaiting approval,
those closing soon (editors, approvers); opinions to moderate (editors, approvers, analysts);
consultations to answer and answers overdue (editors, approvers); decided consultations past the
threshold of opinions during implementation (editors, approvers; issue 16). Every count is of the user's
own department only (all departments for a site administrator), through the same scoping
functions the screens use, so a count never names or counts another department's work.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component
from wagtail.models import WorkflowState

from consultations.models import Consultation
from consultations.permissions import consultations_visible_to
from consultations.roles import Role, is_site_admin, user_has_role
from feedback.after_decision.selectors import prompted_consultations
from feedback.response.permissions import may_use_response_screens
from feedback.response.selectors import published_response, response_overdue
from feedback.review import moderation

CLOSING_SOON_DAYS = 7


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    count: int
    url: str
    help: str = ""


def _in_workflow(consultations) -> set[int]:
    content_type = ContentType.objects.get_for_model(Consultation)
    ids = [str(pk) for pk in consultations.values_list("pk", flat=True)]
    return {
        int(pk)
        for pk in WorkflowState.objects.filter(
            base_content_type=content_type,
            object_id__in=ids,
            status=WorkflowState.STATUS_IN_PROGRESS,
        ).values_list("object_id", flat=True)
    }


def rows_for(user, now=None) -> list[Row]:
    """The rows of work ``user`` has, in the order they are shown."""
    now = now or timezone.now()
    rows: list[Row] = []
    listing = reverse("wagtailsnippets_consultations_consultation:list")
    admin = is_site_admin(user)
    editing = admin or user_has_role(user, Role.EDITOR) or user_has_role(user, Role.APPROVER)
    if editing:
        mine = consultations_visible_to(user)
        drafts = mine.filter(live=False)
        waiting = _in_workflow(mine)
        rows.append(
            Row(
                "drafts",
                _("Consultations being prepared"),
                drafts.exclude(pk__in=waiting).count(),
                listing,
                _("Not yet published, not submitted for approval."),
            )
        )
        rows.append(
            Row(
                "approval",
                _("Awaiting approval"),
                len(waiting),
                reverse("wagtailadmin_reports:workflow"),
                _("Submitted to the department's approver."),
            )
        )
        rows.append(
            Row(
                "closing",
                _("Closing within %(days)s days") % {"days": CLOSING_SOON_DAYS},
                mine.closing_within(CLOSING_SOON_DAYS, now).count(),
                listing,
            )
        )
        # Issue 16 point 5: only when there is something to consider (no row below it).
        prompted = prompted_consultations(mine)
        if prompted:
            rows.append(
                Row(
                    "evaluation",
                    _("Post-decision evaluations to consider"),
                    len(prompted),
                    reverse("feedback_after_decision:choose"),
                    _(
                        "Decided consultations with many opinions during implementation, and no "
                        "evaluation opened yet."
                    ),
                )
            )
    if moderation.may_moderate_anything(user):
        consultations = moderation.moderated_consultations(user)
        pending = moderation.pending_counts(consultations.values_list("pk", flat=True))
        rows.append(
            Row(
                "moderate",
                _("Opinions to moderate"),
                sum(pending.values()),
                reverse("feedback_review:index"),
                _("Opinions that may be quoted and await a decision to show or hide them."),
            )
        )
    if may_use_response_screens(user):
        closed = consultations_visible_to(user).closed(now).select_related("department")
        unanswered = [c for c in closed if published_response(c) is None]
        rows.append(
            Row(
                "answer",
                _("Consultations to answer"),
                len(unanswered),
                reverse("feedback_response:choose"),
                _("Closed, and their response is not published yet."),
            )
        )
        rows.append(
            Row(
                "overdue",
                _("Responses overdue"),
                sum(1 for c in unanswered if response_overdue(c, now)),
                reverse("feedback_response:choose"),
                _("More than 20 working days since the decision, and no published response."),
            )
        )
    return rows


class WorkPanel(Component):
    """Wagtail home-page panel: the counts of ``rows_for`` with links."""

    name = "tingjian_work"
    order = 10
    template_name = "cms/staff_home/panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        user = self.request.user
        return {"rows": rows_for(user), "site_admin": is_site_admin(user)}
