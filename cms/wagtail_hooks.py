"""Wagtail admin hooks of the site shell: staff sign-in security (cms/staff_auth)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms import site_admin_only  # noqa: F401  (hides the site-wide reports; issue 13)
from cms.staff_auth import admin_views


@hooks.register("register_admin_urls")
def register_staff_security_urls():
    urls = [
        path("", admin_views.overview, name="overview"),
        path("unlock/", admin_views.unlock, name="unlock"),
        path(
            "second-factor/<int:user_id>/reset/",
            admin_views.reset_second_factor,
            name="reset_second_factor",
        ),
    ]
    return [
        path(
            "staff-security/",
            include((urls, "staff_auth_admin"), namespace="staff_auth_admin"),
        )
    ]


class SiteAdministratorMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.is_superuser


@hooks.register("register_settings_menu_item")
def register_staff_security_menu_item():
    return SiteAdministratorMenuItem(
        _("Sign-in security"),
        reverse("staff_auth_admin:overview"),
        name="staff-security",
        icon_name="lock",
        order=650,
    )


@hooks.register("register_account_menu_item")
def register_own_second_factor(request):
    return {
        "url": reverse("staff_auth:mine"),
        "label": _("Second factor and recovery codes"),
        "help_text": _("See your second factor and make new recovery codes."),
    }
