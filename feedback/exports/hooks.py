"""Wagtail admin hooks: the export screens, under the analysis URLs (/admin/analysis/...)."""

from django.urls import include, path
from wagtail import hooks

from feedback.exports import views


@hooks.register("register_admin_urls")
def register_export_urls():
    urls = [
        path("<int:consultation_id>/export/<str:scope>.csv", views.export_csv, name="csv"),
        path("<int:consultation_id>/export/", views.export_start, name="start"),
        path("export/<int:job_id>/", views.export_progress, name="progress"),
        path("export/<int:job_id>/download/", views.export_download, name="download"),
    ]
    return [path("analysis/", include((urls, "feedback_exports"), namespace="feedback_exports"))]
