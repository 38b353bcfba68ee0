"""Wagtail admin hooks: response screens (dispositions and publishing the response)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.response import admin_views
from feedback.response.permissions import may_use_response_screens
from feedback.response.selectors import stage_violations


@hooks.register("register_admin_urls")
def register_response_urls():
    urls = [
        path("", admin_views.response_choose, name="choose"),
        path("<int:consultation_id>/", admin_views.response_screen, name="screen"),
        path(
            "<int:consultation_id>/theme/<int:theme_id>/",
            admin_views.disposition_post,
            name="disposition",
        ),
        path(
            "<int:consultation_id>/theme/<int:theme_id>/opinions/",
            admin_views.theme_opinions_list,
            name="theme_opinions",
        ),
        path("<int:consultation_id>/submit/", admin_views.submit_post, name="submit"),
        # Two people (issue 13): approving publishes; the old "publish" address approves too.
        path("<int:consultation_id>/approve/", admin_views.approve_post, name="approve"),
        path("<int:consultation_id>/publish/", admin_views.approve_post, name="publish"),
        path("<int:consultation_id>/return/", admin_views.return_post, name="return"),
    ]
    return [path("response/", include((urls, "feedback_response"), namespace="feedback_response"))]


class ResponseMenuItem(MenuItem):
    def is_shown(self, request):
        return may_use_response_screens(request.user)


@hooks.register("register_admin_menu_item")
def register_response_menu_item():
    return ResponseMenuItem(
        _("Response to opinions"),
        reverse("feedback_response:choose"),
        icon_name="doc-full",
        order=360,
    )


@hooks.register("consultation_stage_check")
def response_before_stage(*, consultation, stage):
    """Asked by consultation_set_stage: the stage "response published" needs the response."""
    return stage_violations(consultation, stage)
