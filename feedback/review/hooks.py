"""Wagtail admin hooks: review screens (public display and moderation of opinions, R51)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.review import views as review_views
from feedback.review.moderation import may_moderate_anything


@hooks.register("register_admin_urls")
def register_review_urls():
    urls = [
        path("", review_views.review_index, name="index"),
        path("<int:consultation_id>/", review_views.review_queue, name="queue"),
        path("<int:consultation_id>/display/", review_views.review_display, name="display"),
        path(
            "<int:consultation_id>/opinions/<int:submission_id>/moderate/",
            review_views.review_moderate,
            name="moderate",
        ),
    ]
    return [path("review/", include((urls, "feedback_review"), namespace="feedback_review"))]


class ReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return may_moderate_anything(request.user)


@hooks.register("register_admin_menu_item")
def register_review_menu_item():
    return ReviewMenuItem(
        _("Moderate opinions"),
        reverse("feedback_review:index"),
        icon_name="view",
        order=360,
    )
