"""The SMS gateway interface. Set ``SMS_BACKEND`` to the dotted path of an ``SMSBackend``.

Development uses ``ConsoleSMSBackend`` (prints to stdout); a deployment plugs in its
government SMS platform by subclassing ``SMSBackend`` and implementing ``send``.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_SMS_BACKEND = "feedback.response.sms.ConsoleSMSBackend"


class SMSError(Exception):
    pass


class SMSBackend:
    """Send one text message; raise ``SMSError`` when the gateway refuses it."""

    def send(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class ConsoleSMSBackend(SMSBackend):
    """Writes the message to stdout (development)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, phone: str, text: str) -> None:
        self.stream.write(f"SMS to {phone}:\n{text}\n\n")
        self.stream.flush()


class LocmemSMSBackend(SMSBackend):
    """Keeps messages in ``outbox`` (tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        LocmemSMSBackend.outbox.append((phone, text))


def get_sms_backend() -> SMSBackend:
    return import_string(getattr(settings, "SMS_BACKEND", DEFAULT_SMS_BACKEND))()
