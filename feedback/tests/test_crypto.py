"""The contact key: configured keys (with rotation) and the dev fallback."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.test import override_settings

from feedback.privacy import crypto


def test_configured_key_encrypts_and_old_key_still_decrypts_after_rotation():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(CONTACT_ENCRYPTION_KEY=old):
        token = crypto.encrypt_contact({"email": "a@example.org"})
    with override_settings(CONTACT_ENCRYPTION_KEY=f"{new},{old}"):
        assert crypto.decrypt_contact(token) == {"email": "a@example.org"}
    with override_settings(CONTACT_ENCRYPTION_KEY=new), pytest.raises(InvalidToken):
        crypto.decrypt_contact(token)


def test_key_command_prints_a_usable_key(capsys):
    call_command("contact_key")
    key = capsys.readouterr().out.strip()
    Fernet(key.encode())
    call_command("contact_key", "--check")
    assert "works" in capsys.readouterr().out


def test_fallback_key_works_under_other_settings_overrides():
    # override_settings hides the settings module's name; the fallback must not depend on it.
    with override_settings(CONTACT_ENCRYPTION_KEY="", LANGUAGE_CODE="en"):
        token = crypto.encrypt_contact({"phone": "13812345678"})
        assert crypto.decrypt_contact(token) == {"phone": "13812345678"}


def test_without_a_key_production_settings_refuse():
    from django.core.exceptions import ImproperlyConfigured

    with (
        override_settings(CONTACT_ENCRYPTION_KEY="", CONTACT_KEY_FALLBACK=False),
        pytest.raises(ImproperlyConfigured),
    ):
        crypto.encrypt_contact({"phone": "13812345678"})
