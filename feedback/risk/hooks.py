"""Wagtail admin hooks: risk screens (the 稳评 assessor's aggregate dashboard)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.risk import admin_views
from feedback.risk.permissions import can_assess


@hooks.register("register_admin_urls")
def register_risk_urls():
    urls = [
        path("", admin_views.risk_choose, name="choose"),
        path("<int:consultation_id>/", admin_views.risk_dashboard, name="dashboard"),
        path("<int:consultation_id>/decide/", admin_views.risk_decide, name="decide"),
        path("<int:consultation_id>/history/", admin_views.risk_history, name="history"),
    ]
    return [path("risk/", include((urls, "feedback_risk"), namespace="feedback_risk"))]


class RiskMenuItem(MenuItem):
    def is_shown(self, request):
        return can_assess(request.user)


@hooks.register("register_admin_menu_item")
def register_risk_menu_item():
    return RiskMenuItem(
        _("Stability risk evidence"),
        reverse("feedback_risk:choose"),
        icon_name="warning",
        order=370,
    )
