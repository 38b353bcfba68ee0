"""The Permissions-Policy header on every response: the site uses no camera, microphone,
location, payment, USB or other powerful browser feature, so none is allowed, for the site
itself or for anything framed in it (a compromised script or a third-party frame gets nothing).

A tiny middleware rather than a dependency (django-permissions-policy does the same with a
setting); ``PERMISSIONS_POLICY`` in the settings replaces the default below, feature by feature.
"""

from __future__ import annotations

from django.conf import settings

# Feature -> allowed origins: [] is "()", none; "self" is this site only.
DEFAULT_POLICY: dict[str, list[str]] = {
    "accelerometer": [],
    "ambient-light-sensor": [],
    "autoplay": [],
    "battery": [],
    "bluetooth": [],
    "browsing-topics": [],
    "camera": [],
    "display-capture": [],
    "document-domain": [],
    "encrypted-media": [],
    "fullscreen": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "hid": [],
    "idle-detection": [],
    "local-fonts": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "web-share": [],
    "xr-spatial-tracking": [],
}


def header_value(policy: dict[str, list[str]]) -> str:
    parts = []
    for feature, origins in policy.items():
        values = " ".join("self" if o == "self" else f'"{o}"' for o in origins)
        parts.append(f"{feature}=({values})")
    return ", ".join(parts)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        policy = {**DEFAULT_POLICY, **getattr(settings, "PERMISSIONS_POLICY", {})}
        self.value = header_value(policy)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response
