"""Reader preferences (text size, contrast), kept in cookies and read per request."""

from django.conf import settings
from django.http import HttpRequest

FONT_SIZES = ("standard", "large", "xlarge")
CONTRASTS = ("normal", "high")
FONT_COOKIE = "tj_font"
CONTRAST_COOKIE = "tj_contrast"


def read_preferences(request: HttpRequest) -> dict[str, str]:
    font = request.COOKIES.get(FONT_COOKIE, "standard")
    contrast = request.COOKIES.get(CONTRAST_COOKIE, "normal")
    return {
        "font_size": font if font in FONT_SIZES else "standard",
        "contrast": contrast if contrast in CONTRASTS else "normal",
    }


def cookie_secure() -> bool:
    """The preference cookies are sent over HTTPS only wherever the session cookie is."""
    return bool(getattr(settings, "SESSION_COOKIE_SECURE", False))
