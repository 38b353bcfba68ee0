"""Write and verify the hash-chained audit trail (``AuditEntry``).

``record()`` is the only way to write an entry. It takes a transaction-scoped advisory lock so
that entries are chained in commit order, then stores the SHA-256 of the previous entry's hash
and this entry's content. ``verify()`` recomputes the chain; ``manage.py audit_verify`` runs it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from feedback.models import AuditAction, AuditEntry

GENESIS = "0" * 64
_LOCK_KEY = 7_316_402_911  # arbitrary, fixed: serialises writers of the chain


def _digest(
    prev_hash: str,
    at_iso: str,
    actor_id,
    action: str,
    consultation_id,
    object_type: str,
    object_id: str,
    detail,
) -> str:
    payload = json.dumps(
        [prev_hash, at_iso, actor_id, action, consultation_id, object_type, object_id, detail],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def record(
    actor,
    action: AuditAction | str,
    *,
    consultation=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    """Append one entry. Call inside the transaction of the action it records."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    consultation_id = getattr(consultation, "pk", consultation)
    detail = json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str))
    actor_id = getattr(actor, "pk", None)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        last = AuditEntry.objects.order_by("-pk").values_list("hash", flat=True).first()
        prev_hash = last or GENESIS
        at = timezone.now()
        entry = AuditEntry(
            at=at,
            actor_id=actor_id,
            action=str(action),
            consultation_id=consultation_id,
            object_type=object_type,
            object_id=str(object_id),
            detail=detail,
            prev_hash=prev_hash,
        )
        entry.hash = _digest(
            prev_hash,
            at.isoformat(),
            actor_id,
            entry.action,
            consultation_id,
            object_type,
            entry.object_id,
            detail,
        )
        entry.save(force_insert=True)
    return entry


@dataclass
class VerifyResult:
    checked: int
    first_bad_pk: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_pk is None


def verify(batch_size: int = 5000) -> VerifyResult:
    """Recompute every hash in order; report the first entry that does not fit the chain."""
    prev_hash = GENESIS
    checked = 0
    fields = (
        "pk",
        "at",
        "actor_id",
        "action",
        "consultation_id",
        "object_type",
        "object_id",
        "detail",
        "prev_hash",
        "hash",
    )
    for row in AuditEntry.objects.order_by("pk").values_list(*fields).iterator(batch_size):
        pk, at, actor_id, action, consultation_id, object_type, object_id, detail, prev, h = row
        if prev != prev_hash:
            return VerifyResult(checked, pk, "previous hash does not match")
        expected = _digest(
            prev, at.isoformat(), actor_id, action, consultation_id, object_type, object_id, detail
        )
        if expected != h:
            return VerifyResult(checked, pk, "content does not match its hash")
        prev_hash = h
        checked += 1
    return VerifyResult(checked)
