from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")  # noqa: S105
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Without CONTACT_ENCRYPTION_KEY, contacts are encrypted with a key derived from SECRET_KEY.
CONTACT_KEY_FALLBACK = True

# The development server runs each request in a new thread; a connection kept open for
# CONN_MAX_AGE stays behind with every finished thread until PostgreSQL refuses new clients
# ("too many clients"). Close it at the end of each request (cms/tests/test_start_stop.py).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
