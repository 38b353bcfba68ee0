"""Wagtail admin hooks: the dossier screens (/admin/dossier/...)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.dossier import views
from feedback.dossier.permissions import may_export_some_dossier


@hooks.register("register_admin_urls")
def register_dossier_urls():
    urls = [
        path("", views.dossier_choose, name="choose"),
        path("<int:consultation_id>/", views.dossier_page, name="page"),
        path("<int:consultation_id>/start/", views.dossier_start, name="start"),
        path("job/<int:job_id>/", views.dossier_progress, name="progress"),
        path("job/<int:job_id>/download/", views.dossier_download, name="download"),
    ]
    return [path("dossier/", include((urls, "feedback_dossier"), namespace="feedback_dossier"))]


class DossierMenuItem(MenuItem):
    def is_shown(self, request):
        return may_export_some_dossier(request.user)


@hooks.register("register_admin_menu_item")
def register_dossier_menu_item():
    return DossierMenuItem(
        _("Decision dossiers"),
        reverse("feedback_dossier:choose"),
        icon_name="folder-inverse",
        order=380,
    )
