"""Public URLs of the audit trail, included by ``cms.config.urls`` under /audit/."""

from django.urls import path

from feedback.audit import views

urlpatterns = [
    path("checkpoints/", views.checkpoints_page, name="audit_checkpoints"),
    path("checkpoints.json", views.checkpoints_json, name="audit_checkpoints_json"),
    path("checkpoints.txt", views.checkpoints_text, name="audit_checkpoints_text"),
]
