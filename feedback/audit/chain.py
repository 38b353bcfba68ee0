"""The arithmetic of the audit chain: canonical JSON, the entries' and checkpoints' HMACs, and
the plain SHA-256 of the entries written before the chain had a key (``legacy_digest``).

Pure functions of their arguments: no database, no settings. ``feedback.audit.trail`` and
``feedback.audit.checkpoints`` use them, and so does migration ``feedback/0015``.
"""

from __future__ import annotations

import hashlib
import hmac
import json

GENESIS = "0" * 64
# Transaction-scoped advisory lock that serialises the writers of the chain (and the daily
# checkpoint, so that its count and head belong together). Arbitrary, fixed.
LOCK_KEY = 7_316_402_911
ALGORITHM = "HMAC-SHA256"


def canonical(values) -> bytes:
    return json.dumps(
        values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode("utf-8")


def legacy_digest(
    prev_hash: str,
    at_iso: str,
    actor_id,
    action: str,
    consultation_id,
    object_type: str,
    object_id: str,
    detail,
) -> str:
    """SHA-256 of an entry written before issue 13 (``key_id`` empty): anyone can recompute it,
    so it proves nothing alone; the first keyed entry anchors these (``trail.anchor_legacy``)."""
    payload = canonical(
        [prev_hash, at_iso, actor_id, action, consultation_id, object_type, object_id, detail]
    )
    return hashlib.sha256(payload).hexdigest()


def entry_mac(
    key: bytes,
    key_id: str,
    prev_hash: str,
    at_iso: str,
    actor_id,
    action: str,
    consultation_id,
    object_type: str,
    object_id: str,
    detail,
) -> str:
    payload = canonical(
        [
            "entry",
            key_id,
            prev_hash,
            at_iso,
            actor_id,
            action,
            consultation_id,
            object_type,
            object_id,
            detail,
        ]
    )
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def checkpoint_mac(
    key: bytes, key_id: str, day_iso: str, at_iso: str, entries: int, head: str, prev: str
) -> str:
    payload = canonical(["checkpoint", key_id, day_iso, at_iso, int(entries), head, prev])
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(str(a), str(b))
