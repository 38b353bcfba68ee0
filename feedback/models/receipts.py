"""Receipt codes: 60 random bits in Crockford base32, read aloud in groups of four.

Stored without hyphens in upper case (``7KQ4M2XD9PTA``); shown as ``7KQ4-M2XD-9PTA``.
Typed input is forgiving: case, spaces and hyphens are ignored, I/L read as 1 and O as 0.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 12  # 12 symbols × 5 bits = 60 bits
GROUP = 4
_TRANSLATE = str.maketrans({"I": "1", "L": "1", "O": "0"})
_VALID = re.compile(rf"^[{ALPHABET}]{{{LENGTH}}}$")


def new_receipt() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_receipt(code: str) -> str:
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_receipt(typed: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be a receipt code."""
    cleaned = re.sub(r"[\s\-_.]", "", typed or "").upper().translate(_TRANSLATE)
    return cleaned if _VALID.match(cleaned) else None
