"""Wagtail admin hooks: the hearing screens (and the majority count of requisition plans)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.hearings import admin_views
from feedback.hearings.permissions import may_use_hearing_screens


@hooks.register("register_admin_urls")
def register_hearing_urls():
    urls = [
        path("", admin_views.hearing_choose, name="choose"),
        path("<int:consultation_id>/", admin_views.hearing_screen, name="screen"),
        path("<int:consultation_id>/<slug:step>/", admin_views.hearing_step, name="step"),
    ]
    return [path("hearings/", include((urls, "feedback_hearings"), namespace="feedback_hearings"))]


class HearingMenuItem(MenuItem):
    def is_shown(self, request):
        return may_use_hearing_screens(request.user)


@hooks.register("register_admin_menu_item")
def register_hearing_menu_item():
    return HearingMenuItem(
        _("Hearings"), reverse("feedback_hearings:choose"), icon_name="group", order=365
    )
