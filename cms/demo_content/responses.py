"""Published official responses, approved by a second person, with their PDF (issue 15)."""

from __future__ import annotations


def seed(users: dict) -> None:
    """Add this part of the demo; ``users`` maps demo usernames to users. Idempotent."""
