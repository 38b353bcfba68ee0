"""Wagtail admin hooks: analysis screens (dashboard, exports)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback import analysis_views as views


@hooks.register("register_admin_urls")
def register_analysis_urls():
    urls = [
        path("", views.analysis_choose, name="choose"),
        path("<int:consultation_id>/", views.analysis_dashboard, name="dashboard"),
        path("<int:consultation_id>/export/<str:scope>.csv", views.export_csv, name="export_csv"),
        path("<int:consultation_id>/export/", views.export_start, name="export_start"),
        path("export/<int:job_id>/", views.export_progress, name="export_progress"),
        path("export/<int:job_id>/download/", views.export_download, name="export_download"),
    ]
    return [path("analysis/", include((urls, "feedback_analysis"), namespace="feedback_analysis"))]


class AnalysisMenuItem(MenuItem):
    def is_shown(self, request):
        return views.can_see_any_analysis(request.user)


@hooks.register("register_admin_menu_item")
def register_analysis_menu_item():
    return AnalysisMenuItem(
        _("Analysis"), reverse("feedback_analysis:choose"), icon_name="table", order=370
    )
