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
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
# Notifications (e-mail settings: base.py): no SMS backend unless one is named, and no start
# while residents' notifications could not be delivered (feedback/response/checks.py).
SMS_BACKEND = env("SMS_BACKEND", default="")
NOTIFICATIONS_REQUIRE_DELIVERY = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
