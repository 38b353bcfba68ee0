import tempfile

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "feedback.response.sms.LocmemSMSBackend"
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Parallel test runs on one embedded server get their own database.
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_tingjian")}

# The day's key of the network hashes: a folder of this test run's own.
RATELIMIT_KEY_DIR = tempfile.mkdtemp(prefix="tingjian-test-ratelimit-")

# Without CONTACT_ENCRYPTION_KEY, contacts are encrypted with a key derived from SECRET_KEY.
CONTACT_KEY_FALLBACK = True
