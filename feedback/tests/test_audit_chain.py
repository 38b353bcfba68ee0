# Size: one adversarial test per way of tampering with the chain, kept together on purpose.
"""The audit chain detects every tampering by someone who owns the tables but not the key.

The tests run as a database superuser, so they tamper as such an attacker would: user triggers
off for one transaction (``session_replication_role = replica``), then UPDATE, DELETE, INSERT
or TRUNCATE, recomputing hashes where that would help them. ``audit_verify`` must fail with a
message that names the first bad entry or checkpoint.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from consultations.tests.factories import UserFactory
from feedback.audit import chain, checkpoints
from feedback.audit import trail as audit
from feedback.audit.keys import chain_keys, forget_keys
from feedback.models import AuditAction, AuditCheckpoint, AuditEntry

pytestmark = pytest.mark.django_db

KEY_A = "a1:" + "A" * 43
KEY_B = "b2:" + "B" * 43


@pytest.fixture(autouse=True)
def _fresh_keys():
    forget_keys()
    yield
    forget_keys()


def tamper(sql: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # so that TRUNCATE may run
        cursor.execute(sql, params)


def entries(n: int = 5) -> list[AuditEntry]:
    user = UserFactory(roles=["analyst"])
    return [
        audit.record(
            user,
            AuditAction.CODE,
            consultation=7,
            object_type="x",
            object_id=str(i),
            detail={"n": i},
        )
        for i in range(n)
    ]


def broken(match: str, **options) -> str:
    with pytest.raises(CommandError, match=match) as raised:
        call_command("audit_verify", **options)
    return str(raised.value)


def test_entries_are_signed_with_a_key_the_database_does_not_hold():
    first, second = entries(2)
    keys = chain_keys()
    assert first.key_id == second.key_id == keys.signing_id
    assert first.prev_hash == chain.GENESIS and second.prev_hash == first.hash
    # Not the plain SHA-256 anyone could recompute from the row.
    assert first.hash != chain.legacy_digest(
        first.prev_hash, first.at.isoformat(), first.actor_id, first.action, 7, "x", "0", {"n": 0}
    )
    # The key is nowhere in the database.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM feedback_auditentry WHERE row_to_json(feedback_auditentry)::text "
            "LIKE %s",
            ["%" + keys.signing_key.decode()[:20] + "%"],
        )
        assert cursor.fetchone()[0] == 0
    assert audit.verify().ok
    call_command("audit_verify")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("at", "now()"),
        ("actor_id", "NULL"),
        ("action", "'export'"),
        ("consultation_id", "8"),
        ("object_type", "'y'"),
        ("object_id", "'99'"),
        ("detail", "'{\"n\": 99}'::jsonb"),
        ("prev_hash", "repeat('0', 64)"),
        ("hash", "repeat('f', 64)"),
        ("key_id", "''"),
        ("key_id", "'other'"),
    ],
)
def test_an_in_place_edit_of_any_field_is_detected_at_that_entry(column, value):
    rows = entries()
    tamper(f"UPDATE feedback_auditentry SET {column} = {value} WHERE id = %s", [rows[2].pk])  # noqa: S608
    result = audit.verify()
    assert not result.ok
    assert result.first_bad_pk == rows[2].pk
    assert result.position == 3 and result.checked == 2
    broken(f"entry {rows[2].pk} \\(number 3 in the chain\\)")


def test_deleting_a_middle_entry_is_detected_at_the_next():
    rows = entries()
    tamper("DELETE FROM feedback_auditentry WHERE id = %s", [rows[2].pk])
    result = audit.verify()
    assert result.first_bad_pk == rows[3].pk
    assert "removed, inserted or moved" in result.problem
    broken(f"entry {rows[3].pk}")


def test_deleting_the_tail_is_detected_by_the_latest_checkpoint():
    rows = entries()
    checkpoints.take_checkpoint()
    tamper("DELETE FROM feedback_auditentry WHERE id >= %s", [rows[3].pk])
    result = audit.verify()
    assert not result.ok
    assert "the chain has 3 entries but checkpoint" in result.problem
    assert "recorded 5" in result.problem
    broken("removed from the end or the table was emptied")


def test_deleting_the_tail_and_the_checkpoints_is_detected_by_the_file(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    rows = entries()
    checkpoints.take_checkpoint()
    tamper("DELETE FROM feedback_auditentry WHERE id >= %s", [rows[3].pk])
    tamper("DELETE FROM feedback_auditcheckpoint")
    message = broken("the database has no checkpoint of that day")
    assert "audit-checkpoints.jsonl" in message
    # Without the file, the database alone looks consistent: the file (or a published copy)
    # is what holds the operator to the tail.
    call_command("audit_verify", no_checkpoint_file=True)


def test_truncate_is_detected_by_the_checkpoint():
    entries()
    checkpoints.take_checkpoint()
    tamper("TRUNCATE feedback_auditentry CASCADE")
    result = audit.verify()
    assert "the chain has 0 entries but checkpoint" in result.problem
    broken("removed from the end or the table was emptied")


def test_truncating_both_tables_is_detected_by_a_kept_copy(tmp_path):
    entries()
    checkpoints.take_checkpoint()
    kept = tmp_path / "kept.json"
    kept.write_text(
        json.dumps({"checkpoints": [p.public() for p in checkpoints.database_points()]})
    )
    tamper("TRUNCATE feedback_auditentry, feedback_auditcheckpoint CASCADE")
    assert audit.verify().ok  # an empty database alone proves nothing
    message = broken("the database has no checkpoint of that day", checkpoints_from=[str(kept)])
    assert str(kept) in message


def _rehash_with_sha(start_pk: int, *, key_id: str | None, stop_pk: int | None = None) -> None:
    """What the attacker can do without the key: recompute plain SHA-256 links from
    ``start_pk`` on, up to before ``stop_pk`` (keeping the key id, or claiming none)."""
    rows = list(AuditEntry.objects.order_by("pk"))
    if stop_pk is not None:
        rows = [row for row in rows if row.pk < stop_pk]
    prev = chain.GENESIS
    for row in rows:
        if row.pk >= start_pk:
            digest = chain.legacy_digest(
                prev,
                row.at.isoformat(),
                row.actor_id,
                row.action,
                row.consultation_id,
                row.object_type,
                row.object_id,
                row.detail,
            )
            new_key = row.key_id if key_id is None else key_id
            tamper(
                "UPDATE feedback_auditentry SET prev_hash = %s, hash = %s, key_id = %s "
                "WHERE id = %s",
                [prev, digest, new_key, row.pk],
            )
            prev = digest
        else:
            prev = row.hash


@pytest.mark.parametrize("key_id", [None, ""])
def test_delete_then_rehash_with_plain_sha_is_detected(key_id):
    rows = entries()
    tamper("DELETE FROM feedback_auditentry WHERE id = %s", [rows[2].pk])
    _rehash_with_sha(rows[3].pk, key_id=key_id)
    result = audit.verify()
    assert result.first_bad_pk == rows[3].pk
    expected = "does not match its signature" if key_id is None else "carries no key"
    assert expected in result.problem
    broken(f"entry {rows[3].pk}")


def test_rewriting_the_whole_chain_without_a_key_is_detected():
    rows = entries()
    _rehash_with_sha(rows[0].pk, key_id="")
    result = audit.verify()
    assert result.first_bad_pk == rows[0].pk
    assert "no signed 'chain_keyed' entry anchors them" in result.problem
    broken(f"entry {rows[0].pk}")


def test_rehashing_with_a_guessed_key_is_detected(settings):
    rows = entries()
    forged = hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest()
    key_id = rows[0].key_id
    prev = rows[0].hash
    for row in rows[1:]:
        mac = chain.entry_mac(
            forged.encode(),
            key_id,
            prev,
            row.at.isoformat(),
            row.actor_id,
            "export",
            row.consultation_id,
            row.object_type,
            row.object_id,
            row.detail,
        )
        tamper(
            "UPDATE feedback_auditentry SET action = 'export', prev_hash = %s, hash = %s "
            "WHERE id = %s",
            [prev, mac, row.pk],
        )
        prev = mac
    assert audit.verify().first_bad_pk == rows[1].pk


def test_reordering_entries_is_detected():
    rows = entries()
    # Swap the places of entries 2 and 3 (their whole rows, hashes included).
    tamper("UPDATE feedback_auditentry SET id = -id WHERE id IN (%s, %s)", [rows[1].pk, rows[2].pk])
    tamper("UPDATE feedback_auditentry SET id = %s WHERE id = %s", [rows[2].pk, -rows[1].pk])
    tamper("UPDATE feedback_auditentry SET id = %s WHERE id = %s", [rows[1].pk, -rows[2].pk])
    result = audit.verify()
    assert result.first_bad_pk == rows[1].pk
    broken(f"entry {rows[1].pk}")


def test_inserting_a_forged_entry_is_detected():
    user = UserFactory(roles=["analyst"])
    first = audit.record(user, AuditAction.CODE, object_type="x", object_id="1")
    try:
        with transaction.atomic():  # leaves a gap in the ids, where the forgery goes
            audit.record(user, AuditAction.CODE, object_type="x", object_id="gone")
            raise RuntimeError
    except RuntimeError:
        pass
    last = audit.record(user, AuditAction.CODE, object_type="x", object_id="2")
    forged_pk = first.pk + 1
    assert forged_pk < last.pk
    tamper(
        "INSERT INTO feedback_auditentry (id, at, actor_id, action, consultation_id, "
        "object_type, object_id, detail, prev_hash, hash, key_id) "
        "VALUES (%s, now(), %s, 'export', NULL, 'x', '3', '{}'::jsonb, %s, repeat('e', 64), %s)",
        [forged_pk, user.pk, first.hash, first.key_id],
    )
    result = audit.verify()
    assert result.first_bad_pk == forged_pk
    broken(f"entry {forged_pk}")
    # And one appended at the end.
    tamper(f"DELETE FROM feedback_auditentry WHERE id = {forged_pk}")  # noqa: S608
    assert audit.verify().ok
    tamper(
        "INSERT INTO feedback_auditentry (at, actor_id, action, consultation_id, object_type, "
        "object_id, detail, prev_hash, hash, key_id) "
        "VALUES (now(), NULL, 'export', NULL, 'x', '4', '{}'::jsonb, %s, repeat('d', 64), %s)",
        [last.hash, last.key_id],
    )
    assert "does not match its signature" in audit.verify().problem


def test_a_forged_or_altered_checkpoint_in_the_database_is_detected():
    entries()
    point, _ = checkpoints.take_checkpoint()
    tamper("UPDATE feedback_auditcheckpoint SET entries = 3")
    message = broken(f"checkpoint {point.day} \\(database\\)")
    assert "forged or altered" in message


def test_a_forged_checkpoint_inserted_in_the_database_is_detected():
    rows = entries()
    checkpoints.take_checkpoint()
    latest = AuditCheckpoint.objects.get()
    tamper(
        "INSERT INTO feedback_auditcheckpoint (day, at, entries, head, key_id, prev, mac) "
        "VALUES (%s, now(), 2, %s, %s, %s, repeat('c', 64))",
        [latest.day.replace(year=latest.day.year + 1), rows[1].hash, latest.key_id, latest.mac],
    )
    broken("its signature does not match its content: forged or altered")


def test_removing_a_middle_checkpoint_breaks_the_checkpoint_chain():
    from datetime import timedelta

    from django.utils import timezone

    entries(2)
    now = timezone.now()
    for days in (2, 1, 0):
        checkpoints.take_checkpoint(now - timedelta(days=days))
    assert AuditCheckpoint.objects.count() == 3
    middle = AuditCheckpoint.objects.order_by("day")[1]
    tamper("DELETE FROM feedback_auditcheckpoint WHERE id = %s", [middle.pk])
    broken("does not follow the checkpoint before it")


def test_a_forged_copy_of_the_published_checkpoints_is_named(tmp_path):
    entries()
    point, _ = checkpoints.take_checkpoint()
    forged = tmp_path / "copy.txt"
    genuine = point.text().split()
    genuine[2] = "9"  # "there were 9 entries"
    forged.write_text(" ".join(genuine) + "\n")
    message = broken("forged or altered", checkpoints_from=[str(forged)])
    assert f"checkpoint {point.day} ({forged})" in message


def test_an_unreadable_copy_is_a_clear_error(tmp_path):
    copy = tmp_path / "page.html"
    copy.write_text("<html>not the list</html>\n")
    broken(
        "Cannot read checkpoints from .*page.html: .*expected 7 columns",
        checkpoints_from=[str(copy)],
    )
    broken("Cannot read checkpoints from .*missing", checkpoints_from=[str(tmp_path / "missing")])


def test_a_rewritten_chain_that_disagrees_with_a_checkpoint_is_named_at_that_entry(settings):
    """An attacker who holds the key later (say, a rotated-out key leaked) rewrites history:
    the checkpoint published before still pins the old head."""
    rows = entries()
    checkpoints.take_checkpoint()
    keys = chain_keys()
    prev = rows[2].hash
    for row in rows[3:]:
        mac = chain.entry_mac(
            keys.signing_key,
            keys.signing_id,
            prev,
            row.at.isoformat(),
            row.actor_id,
            row.action,
            row.consultation_id,
            row.object_type,
            "rewritten",
            row.detail,
        )
        tamper(
            "UPDATE feedback_auditentry SET object_id = 'rewritten', prev_hash = %s, hash = %s "
            "WHERE id = %s",
            [prev, mac, row.pk],
        )
        prev = mac
    result = audit.verify()
    assert result.first_bad_pk == rows[4].pk
    assert "checkpoint" in result.problem and "recorded as number 5" in result.problem


# -- keys: rotation, production, the development file -----------------------------------------


def test_rotation_old_entries_verify_with_the_old_key(settings):
    settings.AUDIT_CHAIN_KEY = KEY_A
    old = entries(2)
    assert {e.key_id for e in old} == {"a1"}
    settings.AUDIT_CHAIN_KEY = f"{KEY_B},{KEY_A}"
    new = entries(2)
    assert {e.key_id for e in new} == {"b2"}
    assert new[0].prev_hash == old[-1].hash
    checkpoints.take_checkpoint()
    assert audit.verify().ok
    settings.AUDIT_CHAIN_KEY = KEY_B  # the old key dropped too early
    result = audit.verify()
    assert "key 'a1', which is not among the configured keys" in result.problem
    assert result.first_bad_pk == old[0].pk


def test_production_refuses_to_write_without_a_key(settings):
    from feedback.audit import checks

    settings.AUDIT_CHAIN_KEY_REQUIRED = True
    settings.AUDIT_CHAIN_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="AUDIT_CHAIN_KEY"):
        checks.refuse_start_without_key()
    with pytest.raises(ImproperlyConfigured, match="AUDIT_CHAIN_KEY must be set"):
        entries(1)
    assert not AuditEntry.objects.exists()
    for bad, why in [
        ("tooshort:abc", "too short"),
        ("A" * 50, "must be written id:secret"),
        (f"{KEY_A},{KEY_A}", "appears twice"),
        (f"x:{settings.SECRET_KEY}{'0' * 40}", None),
    ]:
        settings.AUDIT_CHAIN_KEY = bad
        if why is None:
            continue
        with pytest.raises(ImproperlyConfigured, match=why):
            checks.refuse_start_without_key()
    settings.SECRET_KEY = "k" * 50
    settings.AUDIT_CHAIN_KEY = "k1:" + settings.SECRET_KEY
    with pytest.raises(ImproperlyConfigured, match="same as SECRET_KEY"):
        checks.refuse_start_without_key()
    settings.AUDIT_CHAIN_KEY = KEY_A
    checks.refuse_start_without_key()
    assert entries(1)[0].key_id == "a1"


def test_production_settings_refuse_to_start_without_the_key():
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "cms.config.settings.production",
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "ALLOWED_HOSTS": "consult.example.gov.cn",
        "CONTACT_ENCRYPTION_KEY": "ZmRzYWZkc2FmZHNhZmRzYWZkc2FmZHNhZmRzYWZkc2E=",
        "RATELIMIT_TRUSTED_PROXIES": "1",
        "RATELIMIT_TRUSTED_PROXY_ADDRESSES": "127.0.0.1",
        "PUBLIC_BASE_URL": "https://consult.example.gov.cn",
        "WAGTAILADMIN_BASE_URL": "https://consult.example.gov.cn",
        "SMS_BACKEND": "feedback.response.sms.HttpSMSBackend",
        "SMS_HTTP_URL": "https://sms.example.gov.cn/send",
        "EMAIL_HOST": "smtp.example.gov.cn",
        "EXPORT_DIR": "/tmp/tingjian-test-audit-exports",
    }

    def check(**extra):
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--tag", "audit"],
            cwd=root,
            env={**env, **extra},
            capture_output=True,
            text=True,
            timeout=120,
        )

    refused = check()
    assert refused.returncode != 0
    assert "AUDIT_CHAIN_KEY is not set" in refused.stderr
    invalid = check(AUDIT_CHAIN_KEY="k1:short")
    assert invalid.returncode != 0 and "too short" in invalid.stderr


def test_the_development_key_is_a_private_file_outside_the_project(settings, tmp_path):
    import stat

    settings.AUDIT_KEY_DIR = str(tmp_path / "state")
    settings.AUDIT_CHAIN_KEY = ""
    keys = chain_keys()
    path = tmp_path / "state" / "audit-chain-key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert keys.signing_id.startswith("dev-") and len(keys.signing_key) >= 32
    forget_keys()
    assert chain_keys() == keys  # the same key for every process that reads the file
    settings.AUDIT_KEY_DIR = str(settings.BASE_DIR / "var" / "audit")
    with pytest.raises(ImproperlyConfigured, match="inside the project folder"):
        chain_keys()


# -- entries written before the chain had a key -----------------------------------------------


def _legacy_rows(n: int) -> list[int]:
    """Entries as the code before issue 13 wrote them: plain SHA-256, no key id."""
    from django.utils import timezone

    pks, prev = [], chain.GENESIS
    for i in range(n):
        at = timezone.now()
        digest = chain.legacy_digest(prev, at.isoformat(), None, "code", None, "x", str(i), {})
        entry = AuditEntry(
            at=at, action="code", object_type="x", object_id=str(i), detail={}, prev_hash=prev
        )
        entry.hash = digest
        entry.save(force_insert=True)
        pks.append(entry.pk)
        prev = digest
    return pks


def test_legacy_entries_are_anchored_once_and_then_cannot_be_rewritten():
    legacy = _legacy_rows(3)
    assert "no signed 'chain_keyed' entry anchors them" in audit.verify().problem
    marker = audit.anchor_legacy()
    assert marker.action == AuditAction.CHAIN_KEYED
    assert marker.detail == {
        "legacy_entries": 3,
        "legacy_head": AuditEntry.objects.get(pk=legacy[-1]).hash,
    }
    assert audit.anchor_legacy() is None  # once
    entries(2)
    assert audit.verify().ok and audit.verify().checked == 6
    # Rewriting the unsigned prefix (consistently, with plain SHA) breaks the anchor's link.
    tamper("UPDATE feedback_auditentry SET object_id = 'changed' WHERE id = %s", [legacy[1]])
    _rehash_with_sha(legacy[1], key_id="", stop_pk=marker.pk)
    result = audit.verify()
    assert result.first_bad_pk == marker.pk
    assert "link to the entry before it does not match" in result.problem


def test_the_migration_anchors_existing_legacy_entries():
    """Migration 0015's step on a trail written by the old code."""
    import importlib

    from django.db.migrations.loader import MigrationLoader

    migration = importlib.import_module("feedback.migrations.0015_issue13_audit_chain")
    state = MigrationLoader(connection).project_state(("feedback", "0015_issue13_audit_chain"))
    _legacy_rows(2)
    migration.anchor_legacy_entries(state.apps, None)  # the historical model, as migrate runs it
    marker = AuditEntry.objects.order_by("-pk").first()
    assert marker.action == AuditAction.CHAIN_KEYED and marker.key_id
    assert audit.verify().ok
