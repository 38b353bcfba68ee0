"""System checks of the audit chain's key and checkpoints (every ``manage.py check``).

The production settings set ``AUDIT_CHAIN_KEY_REQUIRED``: then ``feedback.apps`` runs the key
check when any process starts (web, task worker, management command) and refuses to start on an
error, so no process of a production site writes entries that the key would not protect.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from feedback.audit.keys import GENERATE, parse_keys

_TIME = re.compile(r"^([01]?\d|2[0-3]):[0-5]\d$")


def key_problems() -> list[checks.CheckMessage]:
    raw = getattr(settings, "AUDIT_CHAIN_KEY", "") or ""
    if not raw:
        if getattr(settings, "AUDIT_CHAIN_KEY_REQUIRED", False):
            return [
                checks.Error(
                    "AUDIT_CHAIN_KEY is not set: the audit trail would not be protected against "
                    "someone who holds the database.",
                    hint=f"Set AUDIT_CHAIN_KEY=id:secret in the environment (generate one with "
                    f"{GENERATE}); docs/deployment.md, 'Audit chain'.",
                    id="feedback.E401",
                )
            ]
        return []
    try:
        keys = parse_keys(raw)
    except ImproperlyConfigured as problem:
        return [checks.Error(str(problem), id="feedback.E402")]
    others = {getattr(settings, name, "") for name in ("SECRET_KEY", "CONTACT_ENCRYPTION_KEY")} - {
        ""
    }
    if any(secret.decode() in others for secret in keys.secrets.values()):
        return [
            checks.Error(
                "An audit chain key is the same as SECRET_KEY or CONTACT_ENCRYPTION_KEY.",
                hint="Use a key of its own for the audit chain.",
                id="feedback.E403",
            )
        ]
    return []


@checks.register("audit")
def check_audit_key(app_configs=None, **kwargs):
    problems = key_problems()
    if not _TIME.match(str(getattr(settings, "AUDIT_CHECKPOINT_AT", "00:05"))):
        problems.append(
            checks.Error(
                "AUDIT_CHECKPOINT_AT must be a local time as HH:MM, e.g. 00:05.",
                id="feedback.E404",
            )
        )
    return problems


@checks.register("audit", deploy=True)
def check_checkpoint_copy(app_configs=None, **kwargs):
    if getattr(settings, "AUDIT_CHECKPOINT_DIR", ""):
        return []
    return [
        checks.Warning(
            "AUDIT_CHECKPOINT_DIR is not set: the daily audit checkpoints are kept only in the "
            "database and on the public page, not in a file outside the database.",
            hint="Set AUDIT_CHECKPOINT_DIR to a folder the database's owner cannot write "
            "(docs/deployment.md, 'Audit chain').",
            id="feedback.W405",
        )
    ]


def refuse_start_without_key() -> None:
    """Raise ImproperlyConfigured when ``AUDIT_CHAIN_KEY_REQUIRED`` is on and the key is
    missing or invalid (see ``key_problems``)."""
    if not getattr(settings, "AUDIT_CHAIN_KEY_REQUIRED", False):
        return
    problems = key_problems()
    if problems:
        lines = [f"{p.id}: {p.msg}" + (f" {p.hint}" if p.hint else "") for p in problems]
        raise ImproperlyConfigured("The audit chain cannot be protected:\n" + "\n".join(lines))
