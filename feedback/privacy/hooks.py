"""Wagtail admin hooks: the privacy officer's screens (identity look-ups, the audit trail viewer,
the contact access log, residents' requests) under one menu item, for privacy officers and site
administrators."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from feedback.privacy import views
from feedback.privacy.permissions import can_use_privacy_screens


@hooks.register("register_admin_urls")
def register_privacy_urls():
    urls = [
        path("", views.privacy_index, name="index"),
        path("identity/", views.identity_list, name="identity_list"),
        path("identity/new/", views.identity_new, name="identity_new"),
        path("identity/<int:pk>/", views.identity_detail, name="identity_detail"),
        path("identity/<int:pk>/decide/", views.identity_decide, name="identity_decide"),
        path("identity/<int:pk>/withdraw/", views.identity_cancel, name="identity_cancel"),
        path("identity/<int:pk>/open/", views.identity_reveal, name="identity_reveal"),
        path("audit/", views.audit_viewer, name="audit"),
        path("access-log/", views.access_log, name="access_log"),
        path("requests/", views.register_list, name="register_list"),
        path("requests/new/", views.register_new, name="register_new"),
        path("requests/<int:pk>/", views.register_detail, name="register_detail"),
    ]
    return [path("privacy/", include((urls, "feedback_privacy"), namespace="feedback_privacy"))]


class PrivacyMenuItem(MenuItem):
    def is_shown(self, request):
        return can_use_privacy_screens(request.user)


@hooks.register("register_admin_menu_item")
def register_privacy_menu_item():
    return PrivacyMenuItem(
        _("Privacy"),
        reverse("feedback_privacy:index"),
        icon_name="lock",
        order=380,
    )
