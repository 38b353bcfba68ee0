"""Wagtail admin hooks: the analysis dashboard (its exports register in feedback.exports.hooks)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.dashboard import views
from feedback.permissions import can_see_any_analysis


@hooks.register("register_admin_urls")
def register_analysis_urls():
    urls = [
        path("", views.analysis_choose, name="choose"),
        path("<int:consultation_id>/", views.analysis_dashboard, name="dashboard"),
    ]
    return [path("analysis/", include((urls, "feedback_analysis"), namespace="feedback_analysis"))]


class AnalysisMenuItem(MenuItem):
    def is_shown(self, request):
        return can_see_any_analysis(request.user)


@hooks.register("register_admin_menu_item")
def register_analysis_menu_item():
    return AnalysisMenuItem(
        _("Analysis"), reverse("feedback_analysis:choose"), icon_name="table", order=370
    )
