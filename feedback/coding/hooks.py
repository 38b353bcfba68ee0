"""Wagtail admin hooks: coding screens (coding frame, one-opinion screen, suggestions)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.coding import views
from feedback.coding.permissions import can_code_anything


@hooks.register("register_admin_urls")
def register_coding_urls():
    urls = [
        path("", views.choose, name="choose"),
        path("<int:consultation_id>/themes/", views.frame, name="frame"),
        path("<int:consultation_id>/themes/<int:theme_id>/", views.theme_edit, name="theme_edit"),
        path("<int:consultation_id>/", views.screen_start, name="screen_start"),
        path("<int:consultation_id>/opinion/<int:submission_id>/", views.screen, name="screen"),
        path(
            "<int:consultation_id>/opinion/<int:submission_id>/code/",
            views.code_view,
            name="code",
        ),
        path(
            "<int:consultation_id>/opinion/<int:submission_id>/no-theme/",
            views.no_theme_view,
            name="no_theme",
        ),
        path(
            "<int:consultation_id>/opinion/<int:submission_id>/group/",
            views.group_view,
            name="group",
        ),
        path(
            "<int:consultation_id>/suggestions/<int:suggestion_id>/<str:decision>/",
            views.suggestion_decide,
            name="decide",
        ),
        path(
            "<int:consultation_id>/suggestions/generate/",
            views.suggestions_generate,
            name="generate",
        ),
        path("<int:consultation_id>/jobs/<int:job_id>/", views.job_view, name="job"),
    ]
    return [path("coding/", include((urls, "feedback_coding"), namespace="feedback_coding"))]


class CodingMenuItem(MenuItem):
    def is_shown(self, request):
        return can_code_anything(request.user)


@hooks.register("register_admin_menu_item")
def register_coding_menu_item():
    return CodingMenuItem(
        _("Code opinions"), reverse("feedback_coding:choose"), icon_name="tag", order=360
    )
