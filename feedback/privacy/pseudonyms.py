"""Pseudonyms shown to staff instead of anything that identifies a resident or opens an opinion
(a receipt code): "Resident 7KQ4", stable per opinion, not reversible without the key."""

from __future__ import annotations

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_PSEUDONYM_SALT = "tingjian.feedback.moderation.pseudonym"  # kept: staff know opinions by it


def pseudonym_code(submission_pk: int) -> str:
    """Four characters from an HMAC (keyed with SECRET_KEY) of the opinion's primary key.

    Stable for an opinion, unrelated to its receipt code, and not reversible without the key.
    Two opinions may share a code (about one pair in a thousand opinions): it names, it does not
    identify.
    """
    digest = salted_hmac(_PSEUDONYM_SALT, str(submission_pk), algorithm="sha256").digest()
    number = int.from_bytes(digest[:4], "big")
    return "".join(_ALPHABET[(number >> (5 * i)) & 31] for i in range(3, -1, -1))


def pseudonym(submission_pk: int) -> str:
    return _("Resident %(code)s") % {"code": pseudonym_code(submission_pk)}
