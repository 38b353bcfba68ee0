"""A worker killed in the middle of sending notices (issue 13's faults, reused by issue 16)."""

from __future__ import annotations


def die_after_delivering(monkeypatch, n: int = 2):
    """The gateway accepts ``n`` messages and the worker dies (KeyboardInterrupt) before the
    ``n``-th is marked sent. Returns a function that puts the real delivery back."""
    from feedback.response import notify

    real = notify._deliver
    delivered = []

    def killed_after_the_nth(*args):
        medium = real(*args)
        delivered.append(medium)
        if len(delivered) == n:
            raise KeyboardInterrupt  # the gateway accepted it; the worker died before saving
        return medium

    monkeypatch.setattr(notify, "_deliver", killed_after_the_nth)
    return lambda: monkeypatch.setattr(notify, "_deliver", real)
