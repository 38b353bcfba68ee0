"""A hearing through registration, draw, record and report; the majority count of a land plan (issue 16)."""

from __future__ import annotations


def seed(users: dict) -> None:
    """Add this part of the demo; ``users`` maps demo usernames to users. Idempotent."""
