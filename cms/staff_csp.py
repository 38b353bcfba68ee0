"""The Content-Security-Policy of the staff admin (/admin/): our own origin only, like the public
pages, but with the inline scripts and styles that Wagtail's admin needs (date pickers, inline
panels). No third party is ever called from a staff page (issue 12: no Gravatar, no CDN)."""

from __future__ import annotations

from django.conf import settings

HEADER = "Content-Security-Policy"


def staff_policy() -> str:
    directives = settings.STAFF_CONTENT_SECURITY_POLICY
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class StaffCSPMiddleware:
    """Sets the staff policy on admin responses (django-csp's own middleware leaves /admin/ out,
    ``CONTENT_SECURITY_POLICY["EXCLUDE_URL_PREFIXES"]``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = "/admin/"
        self.policy = staff_policy()

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(self.prefix) and HEADER not in response:
            response[HEADER] = self.policy
        return response
