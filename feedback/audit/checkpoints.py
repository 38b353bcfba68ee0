"""Daily checkpoints of the audit chain: how many entries it had and the last one's signature,
signed with the chain's key, kept in the database (``AuditCheckpoint``), appended to a file
outside it (``AUDIT_CHECKPOINT_DIR``) and published at /audit/checkpoints/ (JSON and text for
scripts), so that anyone can keep a copy and hold the operator to it.

Each checkpoint also names the previous checkpoint's signature: the published list is a chain,
and a checkpoint removed from the page breaks it for everyone who kept a copy. Whoever holds the
key checks the trail against a copy with ``manage.py audit_verify --checkpoints-from``.

``take_checkpoint`` is safe to run twice: one checkpoint per local day (the second run returns
the first). It holds the chain's advisory lock, so the count and the head belong together.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from feedback.audit.chain import GENESIS, LOCK_KEY, checkpoint_mac, same
from feedback.audit.keys import ChainKeys, chain_keys
from feedback.models import AuditCheckpoint, AuditEntry

FILE_NAME = "audit-checkpoints.jsonl"
TEXT_COLUMNS = ("day", "at", "entries", "head", "key", "prev", "signature")
_HEX = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Point:
    """One checkpoint as published."""

    day: str
    at: str
    entries: int
    head: str
    key: str
    prev: str
    signature: str
    label: str = field(default="database", compare=False)

    def public(self) -> dict:
        data = asdict(self)
        del data["label"]
        return data

    def text(self) -> str:
        return " ".join(str(getattr(self, name)) for name in TEXT_COLUMNS)


class CheckpointProblem(Exception):
    def __init__(self, point: Point, message: str):
        super().__init__(message)
        self.where = f"{point.day} ({point.label})"
        self.message = message


def point_of(checkpoint: AuditCheckpoint, label: str = "database") -> Point:
    return Point(
        day=checkpoint.day.isoformat(),
        at=checkpoint.at.isoformat(),
        entries=checkpoint.entries,
        head=checkpoint.head,
        key=checkpoint.key_id,
        prev=checkpoint.prev,
        signature=checkpoint.mac,
        label=label,
    )


def database_points() -> list[Point]:
    return [point_of(c) for c in AuditCheckpoint.objects.order_by("day")]


def take_checkpoint(now: datetime | None = None) -> tuple[Point, bool]:
    """Today's checkpoint (local day), made now unless it exists; also appended to the file.
    Returns the checkpoint and whether it was made by this call."""
    keys = chain_keys()
    now = now or timezone.now()
    day = timezone.localdate(now)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        latest = AuditCheckpoint.objects.order_by("-day").first()
        if latest is not None and latest.day >= day:  # today's exists (or the clock went back)
            checkpoint, created = latest, False
        else:
            head = AuditEntry.objects.order_by("-pk").values_list("hash", flat=True).first()
            checkpoint = _signed(
                keys,
                day=day,
                at=now,
                entries=AuditEntry.objects.count(),
                head=head or GENESIS,
                prev=latest.mac if latest is not None else GENESIS,
            )
            checkpoint.save(force_insert=True)
            created = True
    point = point_of(checkpoint)
    append_to_file(point)
    return point, created


def _signed(keys: ChainKeys, *, day: date, at: datetime, entries: int, head: str, prev: str):
    mac = checkpoint_mac(
        keys.signing_key, keys.signing_id, day.isoformat(), at.isoformat(), entries, head, prev
    )
    return AuditCheckpoint(
        day=day, at=at, entries=entries, head=head, key_id=keys.signing_id, prev=prev, mac=mac
    )


# -- the file outside the database -----------------------------------------------------------


def checkpoint_file() -> Path | None:
    directory = getattr(settings, "AUDIT_CHECKPOINT_DIR", "")
    return Path(directory) / FILE_NAME if directory else None


def append_to_file(point: Point) -> None:
    """Append ``point`` as one JSON line, unless its day is there already."""
    path = checkpoint_file()
    if path is None:
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists() and any(p.day == point.day for p in parse_points(path.read_text(), "")):
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        out.write(json.dumps(point.public(), ensure_ascii=False, sort_keys=True) + "\n")
        out.flush()
        os.fsync(out.fileno())


def file_points() -> tuple[str, list[Point]] | None:
    path = checkpoint_file()
    if path is None:
        return None
    label = f"file {path}"
    return label, parse_points(path.read_text(), label) if path.exists() else []


# -- copies kept by others -------------------------------------------------------------------


class UnreadableCheckpoints(ValueError):
    pass


def parse_points(text: str, label: str) -> list[Point]:
    """The published JSON (``{"checkpoints": [...]}`` or a list), JSON lines (the file) or
    the published text (one checkpoint a line, columns ``TEXT_COLUMNS``, ``#`` comments)."""
    stripped = text.strip()
    if not stripped:
        return []
    if stripped[0] in "[{":
        try:
            data = json.loads(stripped)
        except json.JSONDecodeError:
            data = None  # JSON lines
        if isinstance(data, dict) and "day" in data:
            data = [data]  # JSON lines of one line
        elif isinstance(data, dict):
            data = data.get("checkpoints")
            if not isinstance(data, list):
                raise UnreadableCheckpoints(f"{label}: no list of checkpoints in the JSON")
        if isinstance(data, list):
            return [_point(row, label, n) for n, row in enumerate(data, start=1)]
    points = []
    for n, line in enumerate(stripped.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("{"):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise UnreadableCheckpoints(f"{label}, line {n}: {error}") from None
        else:
            parts = line.split()
            if len(parts) != len(TEXT_COLUMNS):
                raise UnreadableCheckpoints(
                    f"{label}, line {n}: expected {len(TEXT_COLUMNS)} columns "
                    f"({' '.join(TEXT_COLUMNS)})"
                )
            row = dict(zip(TEXT_COLUMNS, parts, strict=True))
        points.append(_point(row, label, n))
    return points


def _point(row, label: str, n: int) -> Point:
    try:
        point = Point(
            day=date.fromisoformat(str(row["day"])).isoformat(),
            at=str(row["at"]),
            entries=int(row["entries"]),
            head=str(row["head"]),
            key=str(row["key"]),
            prev=str(row["prev"]),
            signature=str(row["signature"]),
            label=label,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise UnreadableCheckpoints(f"{label}, checkpoint {n}: {error!r}") from None
    if point.entries < 0 or not all(
        _HEX.match(v) for v in (point.head, point.prev, point.signature)
    ):
        raise UnreadableCheckpoints(f"{label}, checkpoint {n}: not a checkpoint of this site")
    return point


def read_points(location: str) -> tuple[str, list[Point]]:
    """Checkpoints from a file or an http(s) URL (the published .json or .txt)."""
    if re.match(r"^https?://", location):
        from urllib.request import Request, urlopen

        request = Request(location, headers={"Accept": "application/json, text/plain"})  # noqa: S310
        with urlopen(request, timeout=30) as response:  # noqa: S310 - http(s) only, checked above
            text = response.read().decode("utf-8")
    else:
        text = Path(location).read_text(encoding="utf-8")
    return location, parse_points(text, location)


# -- verification ----------------------------------------------------------------------------


def _check_signature(point: Point, keys: ChainKeys) -> None:
    key = keys.secrets.get(point.key)
    if key is None:
        raise CheckpointProblem(
            point,
            f"it is signed with key {point.key!r}, which is not among the configured keys "
            f"({keys.source})",
        )
    expected = checkpoint_mac(
        key, point.key, point.day, point.at, point.entries, point.head, point.prev
    )
    if not same(expected, point.signature):
        raise CheckpointProblem(
            point, "its signature does not match its content: forged or altered"
        )


def verified_pins(keys: ChainKeys, sources) -> list[Point]:
    """The database's checkpoints, each signed with the key and following the one before it,
    after checking that every checkpoint in ``sources`` (copies: the file, published lists
    kept by others) is authentic and is in the database unchanged. Raises
    ``CheckpointProblem`` naming the first that is not."""
    points = database_points()
    prev, entries = GENESIS, 0
    for point in points:
        _check_signature(point, keys)
        if point.prev != prev:
            raise CheckpointProblem(
                point,
                "it does not follow the checkpoint before it: a checkpoint was removed or inserted",
            )
        if point.entries < entries:
            raise CheckpointProblem(point, "it counts fewer entries than the checkpoint before it")
        prev, entries = point.signature, point.entries
    by_day = {point.day: point for point in points}
    for _label, copies in sources:
        for copy in copies:
            _check_signature(copy, keys)
            own = by_day.get(copy.day)
            if own is None:
                raise CheckpointProblem(
                    copy,
                    f"the database has no checkpoint of that day (it recorded {copy.entries} "
                    "entries): checkpoints were removed from the database",
                )
            if own != copy:
                raise CheckpointProblem(copy, "the database's checkpoint of that day differs")
    return points
