"""System checks of the notifications (tag ``deploy``: ``manage.py check --deploy``).

The opinion form always offers both an e-mail address and a phone number for the reply, so a
site that collects contacts needs an e-mail backend and an SMS backend that really deliver, an
e-mail connection with TLS (unless the mail server is on this machine), an SMS gateway over
HTTPS, and a public base URL for the link in the message. The production settings set
``NOTIFICATIONS_REQUIRE_DELIVERY``: then ``feedback.apps`` runs the same check when any process
starts (web, task worker, management command) and refuses to start on an error.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from feedback.response.sms import NON_DELIVERING_SMS_BACKENDS, HttpSMSBackend, sms_backend_path

NON_DELIVERING_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
    }
)
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _is_local(host: str | None) -> bool:
    return (host or "").lower() in LOCAL_HOSTS


def notification_problems() -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    email_backend = getattr(settings, "EMAIL_BACKEND", SMTP_BACKEND)
    if email_backend in NON_DELIVERING_EMAIL_BACKENDS:
        errors.append(
            checks.Error(
                f"EMAIL_BACKEND is {email_backend}, which sends no e-mail, while the opinion "
                "form collects e-mail addresses for the reply.",
                hint="Set EMAIL_BACKEND (default: SMTP) and EMAIL_HOST in the environment.",
                id="feedback.E301",
            )
        )
    elif email_backend == SMTP_BACKEND:
        tls = getattr(settings, "EMAIL_USE_TLS", False) or getattr(settings, "EMAIL_USE_SSL", False)
        if not tls and not _is_local(getattr(settings, "EMAIL_HOST", "")):
            errors.append(
                checks.Error(
                    "E-mail to residents would leave this machine unencrypted: EMAIL_USE_TLS "
                    "and EMAIL_USE_SSL are both off.",
                    hint="Set EMAIL_USE_TLS=true (STARTTLS, the default) or EMAIL_USE_SSL=true, "
                    "or relay through a mail server on this machine (EMAIL_HOST=localhost).",
                    id="feedback.E302",
                )
            )
    sms_backend = getattr(settings, "SMS_BACKEND", "")
    if not sms_backend or sms_backend in NON_DELIVERING_SMS_BACKENDS:
        errors.append(
            checks.Error(
                f"SMS_BACKEND is {sms_backend or 'not set'}: no text message would be sent, "
                "while the opinion form collects phone numbers for the reply.",
                hint="Set SMS_BACKEND=feedback.response.sms.HttpSMSBackend with SMS_HTTP_URL "
                "and SMS_HTTP_TOKEN, or the dotted path of your platform's SMSBackend.",
                id="feedback.E303",
            )
        )
    elif sms_backend_path() == f"{HttpSMSBackend.__module__}.{HttpSMSBackend.__qualname__}":
        url = urlsplit(getattr(settings, "SMS_HTTP_URL", "") or "")
        if url.scheme != "https" and not (url.scheme == "http" and _is_local(url.hostname)):
            errors.append(
                checks.Error(
                    "SMS_HTTP_URL must be an https:// address of the SMS gateway (or an http:// "
                    "relay on this machine).",
                    id="feedback.E304",
                )
            )
    base = urlsplit(
        getattr(settings, "PUBLIC_BASE_URL", "") or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    )
    if base.scheme != "https" or not base.hostname or _is_local(base.hostname):
        errors.append(
            checks.Error(
                "PUBLIC_BASE_URL must be the public https:// address of the site: it is the "
                "link to the response in every notification.",
                hint="For example PUBLIC_BASE_URL=https://consult.example.gov.cn",
                id="feedback.E305",
            )
        )
    return errors


@checks.register("notifications", deploy=True)
def check_notification_backends(app_configs=None, **kwargs):
    return notification_problems()


def refuse_start_without_delivery() -> None:
    """Raise ImproperlyConfigured when ``NOTIFICATIONS_REQUIRE_DELIVERY`` is on and the
    notifications could not be delivered (see ``notification_problems``)."""
    if not getattr(settings, "NOTIFICATIONS_REQUIRE_DELIVERY", False):
        return
    problems = notification_problems()
    if problems:
        lines = [f"{p.id}: {p.msg}" + (f" {p.hint}" if p.hint else "") for p in problems]
        raise ImproperlyConfigured(
            "Residents' notifications cannot be delivered with these settings:\n" + "\n".join(lines)
        )
