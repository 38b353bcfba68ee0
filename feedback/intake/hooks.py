"""Admin menu and URLs for the intake clerk (shown to clerks who have a department)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.intake import offline_views
from feedback.permissions import can_enter_opinion


@hooks.register("register_admin_urls")
def register_intake_urls():
    urls = [
        path("", offline_views.intake_choose, name="choose"),
        path("<int:consultation_id>/", offline_views.intake_form, name="form"),
        path("<int:consultation_id>/import/", offline_views.intake_import, name="import"),
        path(
            "<int:consultation_id>/import/template.<str:fmt>",
            offline_views.intake_import_template,
            name="import_template",
        ),
        # An uploaded file being checked and imported by the task worker (its progress).
        path("imports/<int:job_id>/", offline_views.intake_import_job, name="import_job"),
        # The page of one entry or upload: its receipt codes, to the clerk who made it, for a
        # while. No receipt code in any URL (the old receipt/<code>/ page is gone).
        path("entries/<int:entry_id>/", offline_views.intake_entry, name="entry"),
        path("entries/<int:entry_id>/close/", offline_views.intake_entry_close, name="entry_close"),
    ]
    return [path("intake/", include((urls, "feedback_intake"), namespace="feedback_intake"))]


class IntakeMenuItem(MenuItem):
    def is_shown(self, request):
        return can_enter_opinion(request.user)


@hooks.register("register_admin_menu_item")
def register_intake_menu_item():
    return IntakeMenuItem(
        _("Enter offline opinions"),
        reverse("feedback_intake:choose"),
        icon_name="form",
        order=350,
    )
