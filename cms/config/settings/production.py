from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False

for _name in ("SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CONTACT_ENCRYPTION_KEY"):
    if not env(_name, default=""):
        raise ImproperlyConfigured(f"{_name} must be set in the environment for production.")

SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Export files (feedback/exports/files.py): a private folder that the web processes and the
# task workers of the machine share, never the system's temporary folder by accident.
if not env("EXPORT_DIR", default=""):
    raise ImproperlyConfigured(
        "EXPORT_DIR must be set for production: a private folder (mode 0700) for export files, "
        "the same for the web processes and the task workers (e.g. /var/lib/tingjian/exports)."
    )

# The proxies in front must be named, or every resident behind them would count as the proxy's
# one network (and a client could forge X-Forwarded-For). docs/deployment.md, "Proxies".
if env("RATELIMIT_TRUSTED_PROXIES", default="") == "":
    raise ImproperlyConfigured(
        "RATELIMIT_TRUSTED_PROXIES must be set for production: the number of reverse proxies "
        "in front of the site (1 for the documented nginx), or 0 when clients connect directly."
    )
if RATELIMIT_TRUSTED_PROXIES and not RATELIMIT_TRUSTED_PROXY_ADDRESSES:  # noqa: F405
    raise ImproperlyConfigured(
        "RATELIMIT_TRUSTED_PROXY_ADDRESSES must list the addresses the proxies connect from "
        "(for nginx on the same machine: 127.0.0.1,::1)."
    )
if not RATELIMIT_TRUSTED_PROXIES:  # noqa: F405
    SECURE_PROXY_SSL_HEADER = None  # no proxy: no forwarded header is trusted
# Cookies over HTTPS only: the session, CSRF and language cookies here; the reader's
# preferences (cms/views.py) and the receipt session (feedback/intake/receipt_session.py)
# follow SESSION_COOKIE_SECURE.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
LANGUAGE_COOKIE_SECURE = env.bool("LANGUAGE_COOKIE_SECURE", default=True)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# HSTS for a year, for every subdomain too. Preload (the browsers' built-in list) is a promise
# that is slow to undo, so it is off unless SECURE_HSTS_PRELOAD=true: docs/deployment.md.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Behind the proxy (which says https in X-Forwarded-Proto), plain http is redirected to https;
# the health check answers on plain http for a monitor on this machine.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=bool(RATELIMIT_TRUSTED_PROXIES))  # noqa: F405
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SILENCED_SYSTEM_CHECKS = [
    # X-Frame-Options SAMEORIGIN (not DENY): Wagtail's admin shows page previews in a frame of
    # the site itself; the public pages say frame-ancestors 'self' in their CSP as well.
    "security.W019",
    # HSTS preload is a choice (above), not an oversight.
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    # Never in production: benchmarks on this machine only (docs/deployment.md).
    *env.list("SILENCED_SYSTEM_CHECKS", default=[]),
]

# The site's public https addresses, always explicit (no 127.0.0.1 default): links in e-mails,
# notifications and the admin. Production refuses to start without them (cms/checks.py).
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="")
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="")
# Refuse to start on an unsafe configuration: a contact key that does not work, no base URL,
# demo accounts, a superuser's or owner's database connection (cms/checks.py, wsgi.py).
REFUSE_UNSAFE_START = True
# Notifications (e-mail settings: base.py): no SMS backend unless one is named, and no start
# while residents' notifications could not be delivered (feedback/response/checks.py).
SMS_BACKEND = env("SMS_BACKEND", default="")
NOTIFICATIONS_REQUIRE_DELIVERY = True
# The audit chain's HMAC key comes from the environment only (AUDIT_CHAIN_KEY): no process starts
# without a valid one (feedback/audit/checks.py; docs/deployment.md, "Audit chain").
AUDIT_CHAIN_KEY_REQUIRED = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
