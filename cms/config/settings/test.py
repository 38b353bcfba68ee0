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
# Creating test databases needs a superuser: the embedded server's (the site itself connects as
# the application role, cms/config/embedded_db.py); a DATABASE_URL names its own user.
if not env("DATABASE_URL", default=""):
    DATABASES["default"]["USER"] = "postgres"

# The day's key of the network hashes: a folder of this test run's own.
RATELIMIT_KEY_DIR = tempfile.mkdtemp(prefix="tingjian-test-ratelimit-")
# The audit chain's key file: a folder of this test run's own; no checkpoint file (tests that
# need one set AUDIT_CHECKPOINT_DIR to their own folder).
AUDIT_CHAIN_KEY = ""
AUDIT_KEY_DIR = tempfile.mkdtemp(prefix="tingjian-test-audit-key-")
AUDIT_CHECKPOINT_DIR = ""

# Without CONTACT_ENCRYPTION_KEY, contacts are encrypted with a key derived from SECRET_KEY.
CONTACT_KEY_FALLBACK = True
