"""Fernet encryption for contact details at rest.

The key comes from ``settings.CONTACT_ENCRYPTION_KEY`` (a urlsafe base64 32-byte Fernet key;
several comma-separated keys allow rotation, the first encrypts). Without it, development and
test runs (settings ``CONTACT_KEY_FALLBACK = True``, in dev.py and test.py) derive a key from
SECRET_KEY so they work out of the box; production refuses to run.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _dev_key() -> bytes:
    digest = hashlib.sha256(b"tingjian-contact-dev:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet(configured: str, fallback_allowed: bool) -> MultiFernet:
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if not keys:
        if not fallback_allowed:
            raise ImproperlyConfigured("CONTACT_ENCRYPTION_KEY must be set in production.")
        return MultiFernet([Fernet(_dev_key())])
    return MultiFernet([Fernet(k.encode()) for k in keys])


def get_fernet() -> MultiFernet:
    configured = getattr(settings, "CONTACT_ENCRYPTION_KEY", "") or ""
    # A setting of its own (not the settings module's name, which override_settings hides).
    fallback_allowed = bool(getattr(settings, "CONTACT_KEY_FALLBACK", False))
    return _fernet(configured, fallback_allowed)


def encrypt_contact(data: dict[str, str]) -> str:
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    return get_fernet().encrypt(payload).decode()


def decrypt_contact(ciphertext: str) -> dict[str, str]:
    return json.loads(get_fernet().decrypt(ciphertext.encode()))
