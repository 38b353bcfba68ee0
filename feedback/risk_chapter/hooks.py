"""Wagtail admin hooks: the 稳评 chapter's screen and files, beside the risk screens."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.risk.permissions import can_assess
from feedback.risk_chapter import views


@hooks.register("register_admin_urls")
def register_risk_chapter_urls():
    urls = [
        path("", views.chapter_choose, name="choose"),
        path("<int:consultation_id>/", views.chapter_page, name="page"),
        path("<int:consultation_id>/chapter.<str:fmt>", views.chapter_file, name="file"),
    ]
    return [
        path(
            "risk-chapter/",
            include((urls, "feedback_risk_chapter"), namespace="feedback_risk_chapter"),
        )
    ]


class ChapterMenuItem(MenuItem):
    def is_shown(self, request):
        return can_assess(request.user)


@hooks.register("register_admin_menu_item")
def register_chapter_menu_item():
    return ChapterMenuItem(
        _("Public-opinion chapter (稳评)"),
        reverse("feedback_risk_chapter:choose"),
        icon_name="doc-full",
        order=371,
    )
