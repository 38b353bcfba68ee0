"""Wagtail admin hooks: campaigns screens (groups of identical or near-identical opinions, R61)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.campaigns import views as campaign_views


@hooks.register("register_admin_urls")
def register_campaign_urls():
    urls = [
        path("", campaign_views.campaign_index, name="index"),
        path("<int:consultation_id>/", campaign_views.campaign_list, name="list"),
        path("<int:consultation_id>/regroup/", campaign_views.campaign_regroup, name="regroup"),
        path(
            "<int:consultation_id>/groups/<int:group_id>/",
            campaign_views.campaign_group,
            name="group",
        ),
        path(
            "<int:consultation_id>/groups/<int:group_id>/action/",
            campaign_views.campaign_action,
            name="action",
        ),
    ]
    return [
        path("campaigns/", include((urls, "feedback_campaigns"), namespace="feedback_campaigns"))
    ]


class CampaignMenuItem(MenuItem):
    def is_shown(self, request):
        return campaign_views.may_analyse_any(request.user)


@hooks.register("register_admin_menu_item")
def register_campaign_menu_item():
    return CampaignMenuItem(
        _("Campaigns and search"),
        reverse("feedback_campaigns:index"),
        icon_name="group",
        order=370,
    )
