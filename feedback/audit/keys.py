"""The keys of the audit chain's HMAC: never in the database, never in the settings files.

Production: ``AUDIT_CHAIN_KEY`` in the environment, one or more keys written ``id:secret``,
separated by commas; the first signs new entries and checkpoints, the others only verify what
they signed before (key rotation: put the new key first, keep the old ones after it). Each
entry and checkpoint stores the id of the key that signed it. Production refuses to start
without a valid key (``feedback.audit.checks``).

Development and tests (``AUDIT_CHAIN_KEY`` empty): the keys are read from the file
``audit-chain-key`` in ``AUDIT_KEY_DIR`` (default ``$XDG_STATE_HOME/tingjian``, i.e.
``~/.local/state/tingjian``), in the same format one key a line; the first process that needs
it writes a random key there (folder mode 0700, file 0600). The folder must lie outside the
project folder, so the key never ends up in the repository.

Whoever holds the database (and the settings files) but not this key cannot write an entry or a
checkpoint that ``audit_verify`` accepts: see docs/deployment.md, "Audit chain".
"""

from __future__ import annotations

import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_FILE = "audit-chain-key"
MIN_SECRET_LENGTH = 32
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
GENERATE = "python -c \"import secrets; print('k1:' + secrets.token_urlsafe(32))\""


@dataclass(frozen=True)
class ChainKeys:
    signing_id: str
    secrets: dict[str, bytes]
    source: str

    @property
    def signing_key(self) -> bytes:
        return self.secrets[self.signing_id]


def parse_keys(raw: str, source: str = "AUDIT_CHAIN_KEY") -> ChainKeys:
    """``id:secret[,id:secret...]`` (commas, spaces or new lines between keys)."""
    items = [item for item in re.split(r"[\s,]+", raw or "") if item]
    if not items:
        raise ImproperlyConfigured(f"{source} holds no audit chain key.")
    found: dict[str, bytes] = {}
    for n, item in enumerate(items, start=1):
        ident, colon, secret = item.partition(":")
        if not colon or not _ID.match(ident):
            raise ImproperlyConfigured(
                f"Audit chain key {n} in {source} must be written id:secret, the id made of "
                f"1 to 32 letters, digits, '.', '_' or '-' (generate one with {GENERATE})."
            )
        if len(secret) < MIN_SECRET_LENGTH:
            raise ImproperlyConfigured(
                f"Audit chain key {ident!r} in {source} is too short: at least "
                f"{MIN_SECRET_LENGTH} random characters (generate one with {GENERATE})."
            )
        if ident in found:
            raise ImproperlyConfigured(f"Audit chain key id {ident!r} appears twice in {source}.")
        found[ident] = secret.encode("utf-8")
    return ChainKeys(signing_id=next(iter(found)), secrets=found, source=source)


def key_dir() -> Path:
    configured = getattr(settings, "AUDIT_KEY_DIR", "")
    if configured:
        return Path(configured)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "tingjian"


_memo: dict[tuple, ChainKeys] = {}
_memo_lock = threading.Lock()


def chain_keys() -> ChainKeys:
    """The configured keys (read once per process and configuration)."""
    raw = getattr(settings, "AUDIT_CHAIN_KEY", "") or ""
    required = getattr(settings, "AUDIT_CHAIN_KEY_REQUIRED", False)
    memo_key = (raw, "" if raw else str(key_dir()), required)
    keys = _memo.get(memo_key)
    if keys is not None:
        return keys
    with _memo_lock:
        if raw:
            keys = parse_keys(raw)
        elif required:
            raise ImproperlyConfigured(
                "AUDIT_CHAIN_KEY must be set in the environment: the key of the audit chain "
                f"never lives in the database (generate one with {GENERATE})."
            )
        else:
            path = _read_or_make_file(key_dir())
            keys = parse_keys(path.read_text(), source=str(path))
        _memo[memo_key] = keys
    return keys


def forget_keys() -> None:
    """Forget the keys read by this process (tests; a new process reads them again)."""
    _memo.clear()


def _read_or_make_file(directory: Path) -> Path:
    base = Path(settings.BASE_DIR).resolve()
    resolved = directory.resolve()
    if resolved == base or base in resolved.parents:
        raise ImproperlyConfigured(
            f"AUDIT_KEY_DIR ({directory}) is inside the project folder; the audit chain key "
            "must live outside it so that it never ends up in the repository."
        )
    path = directory / KEY_FILE
    if path.exists():
        return path
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Write the whole file under another name, then link it into place: a process that reads
    # the key never sees half a file, and of two processes starting at once only one key wins.
    temporary = directory / f".{KEY_FILE}-{secrets.token_hex(8)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(f"dev-{secrets.token_hex(4)}:{secrets.token_urlsafe(32)}\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink(missing_ok=True)
    return path
