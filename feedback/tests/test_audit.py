"""The audit trail is append-only in the database and hash-chained; the command verifies it."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from consultations.tests.factories import UserFactory
from feedback.audit import trail as audit
from feedback.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db


def _three_entries():
    user = UserFactory(roles=["analyst"])
    return [
        audit.record(user, AuditAction.CODE, object_type="x", object_id=str(n), detail={"n": n})
        for n in range(3)
    ]


def test_entries_are_chained_in_order():
    first, second, third = _three_entries()
    assert first.prev_hash == audit.GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert audit.verify().ok
    assert audit.verify().checked == 3


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE feedback_auditentry SET detail = '{}'::jsonb",
        "DELETE FROM feedback_auditentry",
    ],
)
def test_database_refuses_update_and_delete(sql):
    _three_entries()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.count() == 3


def test_verify_command_detects_a_tampered_entry():
    entries = _three_entries()
    call_command("audit_verify")
    # Tamper as a superuser could: user triggers off for this transaction only.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE feedback_auditentry SET detail = '{\"n\": 99}'::jsonb WHERE id = %s",
            [entries[1].pk],
        )
    result = audit.verify()
    assert not result.ok
    assert result.first_bad_pk == entries[1].pk
    with pytest.raises(CommandError, match="broken"):
        call_command("audit_verify")


def test_verify_detects_a_removed_entry():
    entries = _three_entries()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM feedback_auditentry WHERE id = %s", [entries[1].pk])
    result = audit.verify()
    assert result.first_bad_pk == entries[2].pk
