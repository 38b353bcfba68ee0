"""Daily audit checkpoints: one per day, signed, in the database and a file outside it, queued
by the task worker, published at /audit/checkpoints/ without anything of the entries."""

from __future__ import annotations

import json
import stat
import threading
from datetime import datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone, translation

from consultations.tests.factories import ConsultationFactory, UserFactory
from feedback.audit import checkpoints
from feedback.audit import trail as audit
from feedback.audit.keys import forget_keys
from feedback.models import AuditAction, AuditCheckpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_keys():
    forget_keys()
    yield
    forget_keys()


def _entries(n: int = 3):
    user = UserFactory(username="official-wang", roles=["analyst"])
    consultation = ConsultationFactory()
    return [
        audit.record(
            user,
            AuditAction.CONTACT_READ,
            consultation=consultation,
            object_type="feedback.submission",
            object_id=f"4242{i}",
            detail={"reason": "secret-detail-text"},
        )
        for i in range(n)
    ]


def test_one_checkpoint_a_day_even_when_run_twice(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "cp")
    rows = _entries()
    first, created = checkpoints.take_checkpoint()
    assert created and first.entries == 3 and first.head == rows[-1].hash
    _entries(1)
    again, created_again = checkpoints.take_checkpoint()
    assert not created_again and again == first
    assert AuditCheckpoint.objects.count() == 1
    lines = (tmp_path / "cp" / "audit-checkpoints.jsonl").read_text().splitlines()
    assert [json.loads(line)["signature"] for line in lines] == [first.signature]
    assert stat.S_IMODE((tmp_path / "cp" / "audit-checkpoints.jsonl").stat().st_mode) == 0o600
    tomorrow, created = checkpoints.take_checkpoint(timezone.now() + timedelta(days=1))
    assert created and tomorrow.entries == 4 and tomorrow.prev == first.signature
    assert len((tmp_path / "cp" / "audit-checkpoints.jsonl").read_text().splitlines()) == 2
    call_command("audit_verify")


def test_the_checkpoint_table_is_append_only():
    from django.db import connection, transaction
    from django.db.utils import DatabaseError

    checkpoints.take_checkpoint()
    for sql in (
        "UPDATE feedback_auditcheckpoint SET entries = 9",
        "DELETE FROM feedback_auditcheckpoint",
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
    assert AuditCheckpoint.objects.count() == 1


def test_the_command_takes_todays_checkpoint(capsys):
    _entries(2)
    call_command("audit_checkpoint")
    call_command("audit_checkpoint")
    out = capsys.readouterr().out
    assert "taken: 2 entries" in out and "already taken today" in out


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _waiting(path):
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(task_path=path, status="READY").values_list(
            "run_after", flat=True
        )
    )


def test_the_daily_task_takes_the_checkpoint_and_queues_one_next_run(settings):
    from feedback.privacy import audit_checkpoints

    settings.TASKS = DATABASE_TASKS
    path = audit_checkpoints.audit_checkpoint_daily.module_path
    _entries(1)
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        audit_checkpoints.checkpoint_schedule_after_migrate(sender=None, using="default")
        audit_checkpoints.checkpoint_schedule_after_migrate(sender=None, using="default")
        first = audit_checkpoints.audit_checkpoint_daily.call()
        second = audit_checkpoints.audit_checkpoint_daily.call()  # run twice the same day
    assert first == {"day": "2027-03-01", "entries": 1, "created": True}
    assert second["created"] is False
    assert AuditCheckpoint.objects.count() == 1
    assert _waiting(path) == [datetime(2027, 3, 2, 0, 5, tzinfo=SHANGHAI)]
    # An earlier time moves the waiting run forward instead of adding one.
    settings.AUDIT_CHECKPOINT_AT = "23:30"
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert audit_checkpoints.checkpoint_schedule() is True
    assert _waiting(path) == [datetime(2027, 3, 1, 23, 30, tzinfo=SHANGHAI)]
    with time_machine.travel(datetime(2027, 3, 2, 0, 5, 30, tzinfo=SHANGHAI), tick=False):
        audit_checkpoints.audit_checkpoint_daily.call()
    assert [c.day.isoformat() for c in AuditCheckpoint.objects.all()] == [
        "2027-03-01",
        "2027-03-02",
    ]
    call_command("audit_verify")


def _page(client, suffix=""):
    return client.get(f"/audit/checkpoints{suffix}", HTTP_ACCEPT_LANGUAGE="en")


def test_the_public_page_shows_checkpoints_and_nothing_of_the_entries(client, site_tree):
    rows = _entries()
    point, _ = checkpoints.take_checkpoint()
    for suffix in ("/", ".json", ".txt"):
        response = _page(client, suffix)
        assert response.status_code == 200
        body = response.content.decode()
        assert point.head in body and point.signature in body and point.day in body
        for secret in (
            "official-wang",
            "secret-detail-text",
            "42421",
            "contact_read",
            "feedback.submission",
            rows[0].hash,  # an entry's own signature, other than the head's
        ):
            assert secret not in body, (suffix, secret)
    html = _page(client, "/").content.decode()
    assert "Audit trail checkpoints" in html and "site-header" in html  # the site's look
    data = json.loads(_page(client, ".json").content)
    assert data["checkpoints"] == [point.public()]
    assert set(_page(client, ".json")["Cache-Control"].split(", ")) == {"public", "max-age=600"}
    text = _page(client, ".txt").content.decode()
    assert text.splitlines()[-1] == point.text()
    # Chinese by default.
    zh = client.get("/audit/checkpoints/").content.decode()
    assert "审计日志校验点" in zh


def test_a_repeat_visit_gets_not_modified(client, site_tree):
    _entries(1)
    checkpoints.take_checkpoint()
    first = _page(client, ".json")
    again = client.get("/audit/checkpoints.json", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304


def test_the_page_without_checkpoints(client, site_tree):
    with translation.override("en"):
        response = _page(client, "/")
    assert "No checkpoint has been published yet." in response.content.decode()
    assert json.loads(_page(client, ".json").content)["checkpoints"] == []


def test_verify_against_the_published_copies_by_url(client, site_tree, tmp_path):
    """Someone kept the published JSON and text; the operator's chain must match them."""
    _entries(2)
    checkpoints.take_checkpoint()
    (tmp_path / "checkpoints.json").write_bytes(_page(client, ".json").content)
    (tmp_path / "checkpoints.txt").write_bytes(_page(client, ".txt").content)
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        call_command(
            "audit_verify",
            checkpoints_from=[f"{base}/checkpoints.json", str(tmp_path / "checkpoints.txt")],
        )
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("TRUNCATE feedback_auditentry, feedback_auditcheckpoint CASCADE")
        from django.core.management import CommandError

        with pytest.raises(CommandError, match=f"checkpoint .* \\({base}/checkpoints.json\\)"):
            call_command("audit_verify", checkpoints_from=[f"{base}/checkpoints.json"])
    finally:
        server.shutdown()
        server.server_close()
