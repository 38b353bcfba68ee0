"""Admin screens that list every department's work and every staff member's actions: site
administrators only (issue 13).

Wagtail's site history report (Reports → Site history) lists every log entry of every model
the user has any permission on, with the object's title and the acting user's name, and its
user filter lists every member of staff who ever acted. For a department's editor that is the
other departments' unpublished consultations and the staff directory. Department staff keep
each consultation's own history (scoped like the editor); the site-wide report is for site
administrators. The patterns below are put ahead of Wagtail's admin URLs (cms/config/urls.py)
and hand the request to Wagtail's own view once the check has passed.
"""

from __future__ import annotations

from django.urls import get_resolver, re_path
from wagtail import hooks
from wagtail.admin.auth import permission_denied

from consultations.roles import is_site_admin

# Paths under /admin/ that only site administrators may open.
SITE_ADMIN_ONLY = r"reports/site-history/(?:results/)?"
MENU_ITEMS = ("site-history",)


def site_admin_only(request, rest):
    if request.user.is_authenticated and not is_site_admin(request.user):
        return permission_denied(request)
    match = get_resolver("wagtail.admin.urls").resolve(f"/{rest}")
    return match.func(request, *match.args, **match.kwargs)


urlpatterns = [re_path(rf"^admin/(?P<rest>{SITE_ADMIN_ONLY})$", site_admin_only)]


@hooks.register("construct_reports_menu")
def hide_site_admin_reports(request, menu_items):
    if not is_site_admin(request.user):
        menu_items[:] = [item for item in menu_items if item.name not in MENU_ITEMS]
