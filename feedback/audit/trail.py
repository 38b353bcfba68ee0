"""Write and verify the audit trail (``AuditEntry``): an HMAC chain with a key the database
does not hold (``feedback.audit.keys``), pinned once a day by a signed, published checkpoint
(``feedback.audit.checkpoints``).

``record()`` is the only way to write an entry. It takes a transaction-scoped advisory lock so
that entries are chained in commit order, then stores HMAC-SHA256(key, previous entry's MAC and
this entry's content) and the key's id: one SELECT of the previous MAC and one INSERT.

Entries written before issue 13 carry a plain SHA-256 and an empty ``key_id``. Migration 0015
anchors them: it writes one signed ``chain_keyed`` entry naming their count and the last one's
hash, so they verify as a prefix of the chain and can no longer be rewritten (their last hash
is under the key). Unsigned entries anywhere else are refused by ``verify()``.

``verify()`` recomputes the chain and compares it with every checkpoint (the database's, the
file's in ``AUDIT_CHECKPOINT_DIR`` and copies given to it), and names the first entry or
checkpoint that does not fit; ``manage.py audit_verify`` runs it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from feedback.audit import checkpoints
from feedback.audit.chain import GENESIS, LOCK_KEY, entry_mac, legacy_digest, same
from feedback.audit.keys import ChainKeys, chain_keys
from feedback.models import AuditAction, AuditEntry

__all__ = ["GENESIS", "VerifyResult", "anchor_legacy", "record", "verify"]


def _append(
    model,
    keys: ChainKeys,
    *,
    actor_id,
    action: str,
    consultation_id,
    object_type: str,
    object_id: str,
    detail: dict,
):
    """Lock, read the previous MAC, insert the signed entry. Inside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    prev_hash = model.objects.order_by("-pk").values_list("hash", flat=True).first() or GENESIS
    at = timezone.now()
    entry = model(
        at=at,
        actor_id=actor_id,
        action=action,
        consultation_id=consultation_id,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
        prev_hash=prev_hash,
        key_id=keys.signing_id,
    )
    entry.hash = entry_mac(
        keys.signing_key,
        keys.signing_id,
        prev_hash,
        at.isoformat(),
        actor_id,
        action,
        consultation_id,
        object_type,
        object_id,
        detail,
    )
    entry.save(force_insert=True)
    return entry


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
    keys = chain_keys()  # before the lock: the first call of a process may read a file
    with transaction.atomic():
        return _append(
            AuditEntry,
            keys,
            actor_id=getattr(actor, "pk", None),
            action=str(action),
            consultation_id=getattr(consultation, "pk", consultation),
            object_type=object_type,
            object_id=str(object_id),
            detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
        )


def anchor_legacy(model=AuditEntry):
    """Sign the end of the entries written before the chain had a key (migration 0015): one
    ``chain_keyed`` entry naming how many there are and the last one's hash. Does nothing when
    there are none or when a signed entry exists already. Returns the new entry or None."""
    if not model.objects.filter(key_id="").exists():
        return None
    keys = chain_keys()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        if model.objects.exclude(key_id="").exists():
            return None
        legacy = model.objects.count()
        head = model.objects.order_by("-pk").values_list("hash", flat=True).first()
        return _append(
            model,
            keys,
            actor_id=None,
            action=AuditAction.CHAIN_KEYED.value,
            consultation_id=None,
            object_type="",
            object_id="",
            detail={"legacy_entries": legacy, "legacy_head": head},
        )


@dataclass
class VerifyResult:
    checked: int
    first_bad_pk: int | None = None
    problem: str = ""
    position: int | None = None  # 1-based place of the first bad entry in the chain
    checkpoint: str = ""  # the first bad checkpoint, e.g. "2026-12-03 (database)"
    checkpoints: int = 0  # checkpoints compared with the chain

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def where(self) -> str:
        if self.checkpoint:
            return f"checkpoint {self.checkpoint}"
        if self.first_bad_pk is not None:
            return f"entry {self.first_bad_pk} (number {self.position} in the chain)"
        return "the end of the chain"


_FIELDS = (
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
    "key_id",
)


def verify(
    sources: Iterable[tuple[str, list[checkpoints.Point]]] = (),
    *,
    batch_size: int = 5000,
    include_file: bool = True,
) -> VerifyResult:
    """Recompute the chain in order and hold it to every checkpoint; report the first entry or
    checkpoint that does not fit. ``sources``: copies of published checkpoints, as
    ``(label, points)`` (``checkpoints.read_points``)."""
    keys = chain_keys()
    extra = list(sources)
    if include_file:
        try:
            own_file = checkpoints.file_points()
        except (OSError, UnicodeDecodeError, checkpoints.UnreadableCheckpoints) as error:
            return VerifyResult(0, problem=f"the checkpoint file cannot be read ({error})")
        if own_file is not None:
            extra.insert(0, own_file)
    try:
        pins = checkpoints.verified_pins(keys, extra)
    except checkpoints.CheckpointProblem as problem:
        return VerifyResult(0, problem=problem.message, checkpoint=problem.where)
    by_position = {p.entries: p for p in pins}
    prev = GENESIS
    position = 0
    legacy = 0
    first_legacy_pk = None
    keyed = False

    def bad(pk, problem: str) -> VerifyResult:
        return VerifyResult(position - 1, pk, problem, position, checkpoints=len(pins))

    rows = AuditEntry.objects.order_by("pk").values_list(*_FIELDS).iterator(batch_size)
    for pk, at, actor_id, action, consultation, otype, oid, detail, prev_hash, mac, kid in rows:
        position += 1
        if prev_hash != prev:
            return bad(
                pk,
                "its link to the entry before it does not match: an entry before it was removed, "
                "inserted or moved",
            )
        at_iso = at.isoformat()
        if not kid:
            if keyed:
                return bad(pk, "it carries no key after signed entries: forged or rehashed")
            if (
                legacy_digest(prev, at_iso, actor_id, action, consultation, otype, oid, detail)
                != mac
            ):
                return bad(pk, "its content does not match its hash")
            legacy += 1
            first_legacy_pk = first_legacy_pk or pk
        else:
            key = keys.secrets.get(kid)
            if key is None:
                return bad(
                    pk,
                    f"it is signed with key {kid!r}, which is not among the configured keys "
                    f"({keys.source}); keep old keys after the new one when rotating",
                )
            expected = entry_mac(
                key, kid, prev, at_iso, actor_id, action, consultation, otype, oid, detail
            )
            if not same(expected, mac):
                return bad(
                    pk,
                    "its content does not match its signature (changed, forged, or rehashed "
                    "without the key)",
                )
            if legacy and not keyed and not _anchors(action, detail, legacy, prev):
                return bad(
                    pk,
                    f"the {legacy} unsigned entries before it are not anchored by a signed "
                    "'chain_keyed' entry",
                )
            keyed = True
        pin = by_position.get(position)
        if pin is not None and not same(pin.head, mac):
            return bad(
                pk,
                f"it is not the entry that checkpoint {pin.day} ({pin.label}) recorded as number "
                f"{pin.entries}: the chain was rewritten up to here",
            )
        prev = mac
    if legacy and not keyed:
        return VerifyResult(
            0,
            first_legacy_pk,
            f"all {legacy} entries are unsigned and no signed 'chain_keyed' entry anchors them "
            "(rewritten without the key, or migration 0015 did not run)",
            1,
            checkpoints=len(pins),
        )
    longest = max(pins, key=lambda p: p.entries, default=None)
    if longest is not None and longest.entries > position:
        return VerifyResult(
            position,
            problem=f"the chain has {position} entries but checkpoint {longest.day} "
            f"({longest.label}) recorded {longest.entries}, the last signed {longest.head[:16]}…: "
            "entries were removed from the end or the table was emptied",
            checkpoints=len(pins),
        )
    return VerifyResult(position, checkpoints=len(pins))


def _anchors(action: str, detail, legacy: int, prev: str) -> bool:
    detail = detail if isinstance(detail, dict) else {}
    return (
        action == AuditAction.CHAIN_KEYED
        and detail.get("legacy_entries") == legacy
        and detail.get("legacy_head") == prev
    )
