"""Wagtail hooks of the channel after the decision (issue 16 point 5): the staff screens, a panel
on the decision chain screen, and telling the residents when a post-decision evaluation is first
published (the hook ``consultation_follow_up_published`` of ``consultations.followup``)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.after_decision import admin_views


@hooks.register("register_admin_urls")
def register_after_decision_urls():
    urls = [
        path("", admin_views.after_decision_choose, name="choose"),
        path("<int:consultation_id>/", admin_views.after_decision_screen, name="screen"),
        path("<int:consultation_id>/follow-up/", admin_views.follow_up_open_view, name="follow_up"),
        path("<int:consultation_id>/notices/", admin_views.follow_up_notices_view, name="notices"),
    ]
    return [
        path(
            "after-decision/",
            include((urls, "feedback_after_decision"), namespace="feedback_after_decision"),
        )
    ]


class AfterDecisionMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.may_use_screens(request.user)


@hooks.register("register_admin_menu_item")
def register_after_decision_menu_item():
    return AfterDecisionMenuItem(
        _("After the decision"),
        reverse("feedback_after_decision:choose"),
        icon_name="history",
        order=367,
    )


@hooks.register("consultation_decision_chain_panels")
def decision_chain_panel(request, consultation):
    return admin_views.decision_chain_panel(request, consultation)


@hooks.register("consultation_follow_up_published")
def follow_up_published(*, original_id: int, follow_up_id: int) -> None:
    """Runs after the commit of the evaluation's first publication: tell the residents."""
    from feedback.after_decision.tasks import notify_follow_up

    notify_follow_up.enqueue(original_id)
