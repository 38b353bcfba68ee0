"""SMS backends. ``settings.SMS_BACKEND`` (from the environment) names the class to use.

- ``HttpSMSBackend``: posts each message as JSON to the SMS gateway at ``SMS_HTTP_URL`` (the
  government SMS platform or a relay in front of it) with ``Authorization: Bearer
  SMS_HTTP_TOKEN``. A message counts as accepted only when the gateway answers 2xx.
- ``ConsoleSMSBackend`` (development) and ``LocmemSMSBackend`` (tests) deliver nothing; the
  production settings refuse to start with them (``feedback.response.checks``).
- A deployment with another platform subclasses ``SMSBackend`` and implements ``send``.

No backend writes a phone number, a message text or a gateway's answer to a log, and
``SMSError`` carries only a short code (``http_503``, ``timeout``…), never the recipient.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_SMS_BACKEND = "feedback.response.sms.ConsoleSMSBackend"

# Backends that accept every message and deliver none: refused in production.
NON_DELIVERING_SMS_BACKENDS = frozenset(
    {"feedback.response.sms.ConsoleSMSBackend", "feedback.response.sms.LocmemSMSBackend"}
)


class SMSError(Exception):
    """The gateway did not accept the message. ``code`` is short and holds no personal data."""

    def __init__(self, code: str = "refused"):
        self.code = code[:40]
        super().__init__(self.code)


class SMSBackend:
    """Send one text message; return only when the gateway accepted it, else raise ``SMSError``."""

    def send(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def masked_phone(phone: str) -> str:
    """``138****8000``: enough to tell two test numbers apart, not enough to call anyone."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


class ConsoleSMSBackend(SMSBackend):
    """Writes the message to stdout with the number masked (development only)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, phone: str, text: str) -> None:
        self.stream.write(f"SMS to {masked_phone(phone)} (not sent: console backend):\n{text}\n\n")
        self.stream.flush()


class LocmemSMSBackend(SMSBackend):
    """Keeps messages in ``outbox`` (tests). Set ``fail_with`` to a code to refuse them all."""

    outbox: list[tuple[str, str]] = []
    fail_with: str = ""

    def send(self, phone: str, text: str) -> None:
        if LocmemSMSBackend.fail_with:
            raise SMSError(LocmemSMSBackend.fail_with)
        LocmemSMSBackend.outbox.append((phone, text))


class HttpSMSBackend(SMSBackend):
    """POST ``{"to": phone, "text": text}`` as JSON to ``SMS_HTTP_URL``; 2xx means accepted."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout=None):
        self.url = url if url is not None else getattr(settings, "SMS_HTTP_URL", "")
        self.token = token if token is not None else getattr(settings, "SMS_HTTP_TOKEN", "")
        self.timeout = timeout or getattr(settings, "SMS_HTTP_TIMEOUT", 10)

    def send(self, phone: str, text: str) -> None:
        if not self.url:
            raise SMSError("no_gateway_url")
        body = json.dumps({"to": phone, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's setting
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                status = answer.status
        except urllib.error.HTTPError as exc:
            raise SMSError(f"http_{exc.code}") from None
        except TimeoutError:
            raise SMSError("timeout") from None
        except (urllib.error.URLError, OSError):
            raise SMSError("unreachable") from None
        if not 200 <= status < 300:
            raise SMSError(f"http_{status}")


def sms_backend_path() -> str:
    return getattr(settings, "SMS_BACKEND", "") or DEFAULT_SMS_BACKEND


def get_sms_backend() -> SMSBackend:
    return import_string(sms_backend_path())()
