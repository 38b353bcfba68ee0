"""Decisions with their dates and the decision chain; a late response shows 反馈逾期 (issues 15, 16)."""

from __future__ import annotations


def seed(users: dict) -> None:
    """Add this part of the demo; ``users`` maps demo usernames to users. Idempotent."""
