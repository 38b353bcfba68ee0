"""Opinions during implementation, the 稳评 chapter and the dossier (issue 16)."""

from __future__ import annotations


def seed(users: dict) -> None:
    """Add this part of the demo; ``users`` maps demo usernames to users. Idempotent."""
