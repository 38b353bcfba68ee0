"""Settings shared by every environment. Everything that varies comes from the environment."""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parents[3]

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "cms",
    "feedback",
    "consultations",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    # Staff authentication (cms/staff_auth, docs/staff-accounts.md): second factor, lockouts.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Only for its translations: Wagtail's admin writes "22 seconds ago" with humanize's naturaltime.
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "cms.permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "cms.staff_csp.StaffCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # After CSRF (which has read the form): invalid UTF-8 refused (400), control characters
    # removed and text NFC in every form POST (feedback/intake/clean_post.py; issue 14).
    "feedback.intake.clean_post.CleanPostMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's request.user.is_verified(), skipped without a session cookie (cms/staff_auth).
    "cms.staff_auth.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The second factor and the 30-minute idle timeout of staff sessions (cms/staff_auth).
    "cms.staff_auth.middleware.StaffAuthMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last: turns a staff login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Innermost: a view that cannot reach the database answers 503 with the page that says
    # nothing was stored and shows the resident's text (cms/errors.py; issue 13).
    "cms.errors.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "cms.config.urls"
WSGI_APPLICATION = "cms.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # feedback/ keeps the templates of each capability in that capability's package
        # (feedback/<package>/templates/feedback/<package>/...): docs/adr/0009-feedback-packages.md.
        "DIRS": sorted(str(p) for p in (BASE_DIR / "feedback").glob("*/templates")),
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.preferences",
            ],
        },
    },
]


# Which database role connects (docs/deployment.md, "Database roles"): "app" (the default:
# web, worker, commands) or "owner" (migrations: `make db`, `manage.py migrate`), which uses
# DATABASE_MIGRATE_URL when set. The embedded server has both roles (cms/config/embedded_db.py).
DATABASE_ROLE = env("DATABASE_ROLE", default="app")
# The application's role, given its privileges after every migrate (cms/db_roles.py).
DATABASE_APP_ROLE = env(
    "DATABASE_APP_ROLE", default="" if env("DATABASE_URL", default="") else "tingjian_app"
)


def database_settings() -> dict:
    """DATABASE_URL (or DATABASE_MIGRATE_URL for the owner) when set; otherwise the embedded
    PostgreSQL from ``pgserver``, as the role DATABASE_ROLE names."""
    if DATABASE_ROLE not in ("app", "owner"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DATABASE_ROLE must be app (the default) or owner.")
    if env("DATABASE_URL", default=""):
        owner_url = DATABASE_ROLE == "owner" and env("DATABASE_MIGRATE_URL", default="")
        config = env.db("DATABASE_MIGRATE_URL" if owner_url else "DATABASE_URL")
    else:
        from cms.config.embedded_db import ensure_running

        config = ensure_running(DATABASE_ROLE)
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {"default": database_settings()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tingjian_cache",
    },
    # Rendered consultation pages (cms.page_cache), in each process's memory: keys carry the
    # consultation's row version, so processes never serve stale content (ADR 0004).
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tingjian-pages",
        "TIMEOUT": 86400,
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "static_collected")
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

WAGTAIL_SITE_NAME = "听见 Tingjian"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents are always streamed by Wagtail's serve view, behind the permission check of
# consultations/documents.py; never a direct /media/ link (issue 13).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "doc", "xlsx", "xls", "odt", "ods", "jpg", "png", "txt"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Staff pick no other time zone than the consultations' own (their account page listed all
# ~600 zone names in English; issue 15).
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]

LOGIN_URL = "wagtailadmin_login"

# Staff authentication (cms/staff_auth, docs/staff-accounts.md). Failed staff logins are counted
# per username and per client address separately (the address as the rate limits see it, behind
# the trusted proxies only); AXES_FAILURE_LIMIT failures within the cool-off lock either one
# until AXES_COOLOFF_MINUTES after the last failure, or until a site administrator unlocks it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_MINUTES = env.int("AXES_COOLOFF_MINUTES", default=30)
AXES_COOLOFF_TIME = "cms.staff_auth.lockout.cool_off"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "cms.staff_auth.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "cms.staff_auth.lockout.lockout_response"
# A success does not wipe the address's failures (a colleague's login would reset an attacker's
# count); nothing is logged beyond the failure counters (no access log of addresses).
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Second factor (django-otp): TOTP apps show this issuer; wrong codes slow down exponentially.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Tingjian")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Staff sessions end after this many minutes without a staff request (cms/staff_auth).
STAFF_IDLE_MINUTES = env.int("STAFF_IDLE_MINUTES", default=30)

# Content-Security-Policy: our own origin only; no third-party scripts, styles, fonts or frames.
CONTENT_SECURITY_POLICY = {
    # The staff admin (Wagtail) is excluded: it relies on inline scripts; public pages are strict.
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

# The staff admin's policy (cms/staff_csp.py): own origin only; Wagtail's admin needs inline
# scripts and styles. Avatars are initials or uploaded files, never Gravatar.
STAFF_CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
WAGTAIL_GRAVATAR_PROVIDER_URL = None

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# Error pages that work without the database (cms/errors.py); 404/500/400: cms/config/urls.py.
CSRF_FAILURE_VIEW = "cms.errors.csrf_failure"

# Uploads (docs/deployment.md, "Upload limits"). Every multipart request larger than
# UPLOAD_MAX_REQUEST_BYTES is refused from its Content-Length before a byte is read
# (feedback/intake/uploads.py); files above FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to disk,
# never held in memory, in FILE_UPLOAD_TEMP_DIR when set (a private folder; default: the
# system's, files mode 0600). Import files wait for the task worker in UPLOAD_DIR (private,
# shared by web and worker; empty: a folder in the system's temp dir).
UPLOAD_MAX_REQUEST_BYTES = env.int("UPLOAD_MAX_REQUEST_BYTES", default=25 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
FILE_UPLOAD_TEMP_DIR = env("FILE_UPLOAD_TEMP_DIR", default="") or None
FILE_UPLOAD_HANDLERS = [
    "feedback.intake.uploads.RequestSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
UPLOAD_DIR = env("UPLOAD_DIR", default="")
WAGTAILDOCS_MAX_UPLOAD_SIZE = env.int("WAGTAILDOCS_MAX_UPLOAD_SIZE", default=20 * 1024 * 1024)
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.int("WAGTAILIMAGES_MAX_UPLOAD_SIZE", default=10 * 1024 * 1024)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env.int("WAGTAILIMAGES_MAX_IMAGE_PIXELS", default=40_000_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# The public site's consultation rules use this zone for days and closing at 24:00.
CONSULTATION_TIME_ZONE = "Asia/Shanghai"

# Contact details for replies are encrypted at rest with this Fernet key (feedback.crypto).
CONTACT_ENCRYPTION_KEY = env("CONTACT_ENCRYPTION_KEY", default="")


# Rate limits of the opinion form and receipt look-ups (feedback/intake/ratelimit.py) as
# "requests,seconds", e.g. RATELIMIT_SUBMIT_PER_ADDRESS=30,600. Unset: the defaults there.
# bench/intake.py raises them for its own server only (all its clients share one address).
def _rate_limit(name: str) -> tuple[int, int] | None:
    raw = env(name, default="")
    if not raw:
        return None
    count, window = (int(part) for part in raw.split(","))
    return count, window


RATELIMIT_SUBMIT_PER_ADDRESS = _rate_limit("RATELIMIT_SUBMIT_PER_ADDRESS")
RATELIMIT_SUBMIT_PER_CONSULTATION = _rate_limit("RATELIMIT_SUBMIT_PER_CONSULTATION")
RATELIMIT_RECEIPT_PER_ADDRESS = _rate_limit("RATELIMIT_RECEIPT_PER_ADDRESS")
# Reverse proxies in front (docs/deployment.md): how many append to X-Forwarded-For, and the
# networks they connect from (X-Forwarded-For from any other address is ignored).
RATELIMIT_TRUSTED_PROXIES = env.int("RATELIMIT_TRUSTED_PROXIES", default=0)
RATELIMIT_TRUSTED_PROXY_ADDRESSES = env.list("RATELIMIT_TRUSTED_PROXY_ADDRESSES", default=[])
# Where the day's key of the network hashes lives: a private folder outside the database
# (production: a tmpfs such as /run/tingjian). Empty: a folder in the system's temp dir.
RATELIMIT_KEY_DIR = env("RATELIMIT_KEY_DIR", default="")

# The audit trail (docs/deployment.md, "Audit chain"): its HMAC keys, "id:secret" comma-separated,
# the first signs (production: required, from the environment only). Empty in development: a key
# file made in AUDIT_KEY_DIR (default ~/.local/state/tingjian, never inside the project).
# Daily signed checkpoints at AUDIT_CHECKPOINT_AT (local time), also appended to a file in
# AUDIT_CHECKPOINT_DIR when set.
AUDIT_CHAIN_KEY = env("AUDIT_CHAIN_KEY", default="")
AUDIT_CHAIN_KEY_REQUIRED = False
AUDIT_KEY_DIR = env("AUDIT_KEY_DIR", default="")
AUDIT_CHECKPOINT_DIR = env("AUDIT_CHECKPOINT_DIR", default="")
AUDIT_CHECKPOINT_AT = env("AUDIT_CHECKPOINT_AT", default="00:05")

# Offline intake (docs/intake-guide.md): slugs of the 12345 centre's departments, whose clerks
# may enter hotline opinions for every department; hours receipt codes stay visible to the
# clerk who entered the opinions.
INTAKE_HOTLINE_DEPARTMENTS = env.list("INTAKE_HOTLINE_DEPARTMENTS", default=[])
INTAKE_RECEIPT_HOURS = env.int("INTAKE_RECEIPT_HOURS", default=24)

# Routes the bare one-query view used by bench/pages.py as a baseline. Never in production use.
BENCH_VIEWS = env.bool("BENCH_VIEWS", default=False)

# Sender of reply notifications and password mails.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="听见 Tingjian <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Notifications to residents who left a contact (docs/response-guide.md). Every value comes
# from the environment; production refuses to start when they would not be delivered
# (feedback/response/checks.py). E-mail goes through Django's backend with TLS by default.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=not EMAIL_USE_SSL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
SMS_BACKEND = env("SMS_BACKEND", default="feedback.response.sms.ConsoleSMSBackend")
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env("SMS_HTTP_TOKEN", default="")
SMS_HTTP_TIMEOUT = env.int("SMS_HTTP_TIMEOUT", default=10)
# The link in every notification: PUBLIC_BASE_URL + /consultations/<slug>/response/.
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default=WAGTAILADMIN_BASE_URL)
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=5)
NOTIFICATIONS_REQUIRE_DELIVERY = False

# Retention of reply contacts (feedback/privacy/retention.py), as the privacy notice states:
# deleted CONTACT_RETENTION_DAYS after the response is published, or at the latest
# CONTACT_MAX_DAYS_AFTER_CLOSE after the close when there is no response; the task worker
# purges daily at CONTACT_PURGE_AT, local time.
CONTACT_RETENTION_DAYS = env.int("CONTACT_RETENTION_DAYS", default=90)
CONTACT_MAX_DAYS_AFTER_CLOSE = env.int("CONTACT_MAX_DAYS_AFTER_CLOSE", default=180)
CONTACT_PURGE_AT = env("CONTACT_PURGE_AT", default="03:15")
# From this many opinions during implementation: consider a 决策后评估 (issue 16; 0: never).
IMPLEMENTATION_REVIEW_THRESHOLD = env.int("IMPLEMENTATION_REVIEW_THRESHOLD", default=30)

# The task worker (cms/tasks_worker.py, docs/reliability.md): a task whose worker stopped
# renewing its heartbeat for TASK_LEASE_SECONDS is queued again, and failed after
# TASK_MAX_ATTEMPTS claims; after a database outage the worker reconnects, waiting at most
# TASK_RECONNECT_MAX_SECONDS between tries.
TASK_LEASE_SECONDS = env.int("TASK_LEASE_SECONDS", default=60)
TASK_MAX_ATTEMPTS = env.int("TASK_MAX_ATTEMPTS", default=3)
TASK_RECONNECT_MAX_SECONDS = env.int("TASK_RECONNECT_MAX_SECONDS", default=30)
# Export files (feedback/exports/files.py): a private folder (mode 0700) that the web processes
# and the task workers of the machine share; empty: var/exports/ in the project. Production
# requires it. Files are deleted EXPORT_RETENTION_HOURS after they were made.
EXPORT_DIR = env("EXPORT_DIR", default="")
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=24)

# Theme suggestions (feedback/analysis/themes.py, issue 14): a theme is suggested for opinions
# only when its precision on coded opinions held out from training (split by near-duplicate
# group) reaches this share; below it the coding screen says "not enough coded examples yet".
SUGGEST_MIN_PRECISION = env.float("SUGGEST_MIN_PRECISION", default=0.8)
