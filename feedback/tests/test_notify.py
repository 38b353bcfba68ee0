"""Notifications never leak and are "sent" only when delivered (issue 12, point 3).

Adversaries: the log reader and the SMS gateway's operator (the message carries a link, not
the receipt code; errors carry codes, not addresses), a refusing mail server or gateway (sent
only when accepted; retried with back-off; shown to staff), staff of another department (no
retry for them) and two workers at once (nothing sent twice). The backends and the start-up
refusal: test_notify_backends.py; every log record of the whole flow: test_notify_logging.py."""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from consultations.models import Consultation, Department
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.intake.services import OpinionData
from feedback.models import AuditAction, AuditEntry, Coding, Contact, Notification, Submission
from feedback.privacy.contacts import store_contact
from feedback.response.notify import notification_summary, notifications_send
from feedback.response.sms import (
    LocmemSMSBackend,
)
from feedback.response.tasks import notify_response
from feedback.tests.response_fixtures import add_opinion, build_world, close, publish_response
from feedback.tests.test_response import answer_all

BASE = "https://consult.example.gov.cn"
LOCMEM_SMS = "feedback.response.sms.LocmemSMSBackend"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
ROOT = Path(__file__).resolve().parents[2]


class RefusingEmailBackend(BaseEmailBackend):
    """A mail server that refuses every recipient, naming it in the error (as real ones do)."""

    def send_messages(self, messages):
        for message in messages:
            address = message.to[0]
            raise smtplib.SMTPRecipientsRefused({address: (550, f"<{address}> unknown".encode())})
        return 0


class SilentEmailBackend(BaseEmailBackend):
    """Returns without error but accepts nothing: must not count as sent."""

    def send_messages(self, messages):
        return 0


@pytest.fixture
def backends(settings):
    settings.SMS_BACKEND = LOCMEM_SMS
    settings.PUBLIC_BASE_URL = BASE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    LocmemSMSBackend.outbox.clear()
    LocmemSMSBackend.fail_with = ""
    yield settings
    LocmemSMSBackend.outbox.clear()
    LocmemSMSBackend.fail_with = ""


def publish(world, capture):
    answer_all(world)
    with capture(execute=True):
        return publish_response(world, summary="说明")


def _secrets(world) -> list[str]:
    out = ["resident1@example.org", "resident6@example.org", "13800138000", "建议加强环境监测"]
    for sub in world.subs:
        out += [sub.receipt, sub.formatted_receipt]
    return out


# --- the message ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_messages_link_to_the_public_response_and_carry_no_receipt_code(
    client, consultation_index, backends, django_capture_on_commit_callbacks
):
    world = build_world()
    publish(world, django_capture_on_commit_callbacks)
    link = f"{BASE}/consultations/{world.consultation.slug}/response/"
    [(phone, text)] = LocmemSMSBackend.outbox
    assert phone == "13800138000"
    assert link in text and world.consultation.title[:20] in text
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert link in message.body
    for secret in _secrets(world)[3:]:  # opinion text and receipt codes (both formats)
        assert secret not in text
        for message in mail.outbox:
            assert secret not in message.body and secret not in message.subject
    # The link opens the published response.
    assert client.get(link.removeprefix(BASE)).status_code == 200


# --- sent only when accepted; retries with back-off; staff see and retry ---------------------


@pytest.mark.django_db
def test_refused_messages_are_failed_retried_with_backoff_and_retried_by_staff(
    client, backends, django_capture_on_commit_callbacks
):
    backends.EMAIL_BACKEND = "feedback.tests.test_notify.RefusingEmailBackend"
    backends.NOTIFY_MAX_ATTEMPTS = 3
    LocmemSMSBackend.fail_with = "http_503"
    world = build_world()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        publish(world, django_capture_on_commit_callbacks)
    rows = Notification.objects.filter(submission__consultation=world.consultation)
    assert rows.count() == 3
    assert set(rows.values_list("status", "attempts")) == {("failed", 1)}
    assert set(rows.values_list("last_error", flat=True)) == {
        "email:SMTPRecipientsRefused",
        "sms:http_503",
    }
    assert set(rows.values_list("next_attempt_at", flat=True)) == {start + timedelta(minutes=5)}
    assert not rows.filter(sent_at__isnull=False).exists()
    for value in rows.values_list("last_error", flat=True):
        assert "@" not in value and "138" not in value

    # Not due yet: nothing is tried.
    with time_machine.travel(start + timedelta(minutes=4), tick=False):
        assert notify_response.call(world.consultation.pk) == 0
    assert set(rows.values_list("attempts", flat=True)) == {1}
    # Second attempt after 5 minutes, third after another 30; then no attempt is left.
    second = start + timedelta(minutes=6)
    with time_machine.travel(second, tick=False):
        notify_response.call(world.consultation.pk)
    assert set(rows.values_list("attempts", "next_attempt_at")) == {
        (2, second + timedelta(minutes=30))
    }
    with time_machine.travel(second + timedelta(minutes=31), tick=False):
        notify_response.call(world.consultation.pk)
    assert set(rows.values_list("status", "attempts", "next_attempt_at")) == {("failed", 3, None)}
    with time_machine.travel(second + timedelta(days=3), tick=False):
        notify_response.call(world.consultation.pk)
    assert set(rows.values_list("attempts", flat=True)) == {3}
    summary = notification_summary(world.consultation)
    assert (summary.sent, summary.failed, summary.given_up, summary.retrying) == (0, 3, 3, 0)

    # The screen shows it to the owning department, with the codes and a retry button.
    client.force_login(world.editor)
    url = f"/admin/response/{world.consultation.pk}/"
    html = client.get(url).content.decode()
    assert 'data-count="given-up">3<' in html and "sms:http_503" in html
    assert 'name="action" value="retry_notifications"' in html

    # An editor of another department may neither see nor retry.
    elsewhere = Department.objects.create(name="别的局", slug="elsewhere")
    outsider = UserFactory.with_role(Role.EDITOR, department=elsewhere)
    client.force_login(outsider)
    assert client.post(url, {"action": "retry_notifications"}).status_code in (302, 403, 404)
    assert set(rows.values_list("attempts", flat=True)) == {3}

    # The gateway and the mail server work again; the owning editor sends again.
    backends.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    LocmemSMSBackend.fail_with = ""
    client.force_login(world.editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "retry_notifications"})
    assert response.status_code == 302
    assert set(rows.values_list("status", "attempts")) == {("sent", 4)}
    assert len(mail.outbox) == 2 and len(LocmemSMSBackend.outbox) == 1
    entry = AuditEntry.objects.filter(action=AuditAction.PUBLISH).last()
    assert entry.actor_id == world.editor.pk
    assert entry.detail == {"what": "notifications_retry", "notifications": 3}
    html = client.get(url).content.decode()
    assert 'data-count="sent">3<' in html and "retry_notifications" not in html


@pytest.mark.django_db
def test_a_backend_that_accepts_nothing_is_not_sent(backends, django_capture_on_commit_callbacks):
    backends.EMAIL_BACKEND = "feedback.tests.test_notify.SilentEmailBackend"
    world = build_world()
    publish(world, django_capture_on_commit_callbacks)
    emails = Notification.objects.filter(last_error="email:not_accepted")
    assert emails.count() == 2 and not emails.filter(status="sent").exists()
    assert Notification.objects.filter(status="sent", medium="sms").count() == 1


@pytest.mark.django_db
def test_refused_email_falls_back_to_the_phone_number(backends, django_capture_on_commit_callbacks):
    backends.EMAIL_BACKEND = "feedback.tests.test_notify.RefusingEmailBackend"
    world = build_world()
    both = world.subs[2]  # a phoned-in opinion; the clerk noted both an address and a number
    ref = store_contact(OpinionData(contact_email="both@example.org", contact_phone="13700001111"))
    Submission.objects.filter(pk=both.pk).update(contact_ref=ref)
    publish(world, django_capture_on_commit_callbacks)
    row = Notification.objects.get(submission=both)
    assert (row.status, row.medium, row.attempts) == ("sent", "sms", 1)
    assert ("13700001111" in dict(LocmemSMSBackend.outbox)) and not mail.outbox


@pytest.mark.django_db
def test_a_contact_gone_before_the_retry_fails_for_good(
    backends, django_capture_on_commit_callbacks
):
    LocmemSMSBackend.fail_with = "http_503"
    world = build_world()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        publish(world, django_capture_on_commit_callbacks)
    # Before the next attempt the contact is deleted (the resident asked, or it was purged).
    sms_resident = Submission.objects.get(pk=world.subs[1].pk)
    Contact.objects.filter(ref=sms_resident.contact_ref).delete()
    Submission.objects.filter(pk=sms_resident.pk).update(contact_ref="")
    LocmemSMSBackend.fail_with = ""
    with time_machine.travel(start + timedelta(minutes=6), tick=False):
        notify_response.call(world.consultation.pk)
    row = Notification.objects.get(submission=sms_resident)
    assert (row.status, row.last_error, row.next_attempt_at) == ("failed", "no_contact", None)
    assert not LocmemSMSBackend.outbox
    assert notification_summary(world.consultation).given_up == 1
    # Staff sending again does not count it: nothing can be sent to it.
    from feedback.response.services import notifications_retry

    assert notifications_retry(user=world.editor, consultation=world.consultation) == 0


@pytest.mark.django_db
def test_nothing_is_sent_before_the_response_is_published(backends):
    world = build_world()
    assert notify_response.call(world.consultation.pk) == 0
    assert not Notification.objects.exists() and not mail.outbox


@pytest.mark.django_db
def test_a_retry_waits_in_the_queue_once_for_the_earliest_attempt(
    backends, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    LocmemSMSBackend.fail_with = "timeout"
    world = build_world()
    answer_all(world)
    settings.TASKS = DATABASE_TASKS
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        publish_response(world, summary="说明")
        notify_response.call(world.consultation.pk)
        notify_response.call(world.consultation.pk)  # a second run adds no second retry
    waiting = DBTaskResult.objects.filter(
        task_path="feedback.response.tasks.notify_response", status="READY"
    )
    assert list(waiting.values_list("run_after", "args_kwargs")) == [
        (start + timedelta(minutes=5), {"args": [world.consultation.pk], "kwargs": {}})
    ]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(backends, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    world = build_world()
    Consultation.objects.filter(pk=world.consultation.pk).update(
        closes_at=timezone.now() + timedelta(days=1)
    )
    world.consultation.refresh_from_db()
    for n in range(12):
        add_opinion(world.consultation, phone=f"1390000{n:04d}")
    close(world.consultation)
    answer_all(world)
    for sub in Submission.objects.filter(consultation=world.consultation, codings__isnull=True):
        if not sub.withdrawn and not sub.no_theme_reason:
            Coding.objects.create(submission=sub, theme=world.themes[0], coded_by=world.editor)
    publish_response(world, summary="说明")
    slow = threading.Barrier(2)

    def run():
        try:
            slow.wait(timeout=10)
            notifications_send(world.consultation.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    phones = [phone for phone, _text in LocmemSMSBackend.outbox]
    assert len(phones) == len(set(phones)) == 13
    assert Notification.objects.filter(status="sent").count() == 15


@pytest.mark.django_db
def test_rows_written_before_the_upgrade_are_mapped(backends):
    """Migration 0010: a row left "queued" (a worker stopped mid-send) is tried again; error
    texts become codes."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("feedback.migrations.0010_notifications")
    world = build_world()
    stuck = Notification.objects.create(submission=world.subs[0])
    gone = Notification.objects.create(submission=world.subs[1], status="failed")
    Notification.objects.filter(pk=stuck.pk).update(status="queued", next_attempt_at=None)
    Notification.objects.filter(pk=gone.pk).update(last_error="no contact")
    migration.forwards(apps, None)
    stuck.refresh_from_db()
    gone.refresh_from_db()
    assert stuck.status == "pending" and stuck.next_attempt_at is not None
    assert (gone.attempts, gone.last_error) == (1, "no_contact")
    migration.backwards(apps, None)
    assert Notification.objects.get(pk=stuck.pk).status == "queued"


@pytest.mark.django_db
def test_a_contact_the_key_cannot_read_fails_without_stopping_the_others(
    backends, django_capture_on_commit_callbacks
):
    world = build_world()
    Contact.objects.filter(ref=world.subs[0].contact_ref).update(ciphertext="gAAAAAbroken")
    publish(world, django_capture_on_commit_callbacks)
    row = Notification.objects.get(submission=world.subs[0])
    assert (row.status, row.last_error, row.next_attempt_at) == (
        "failed",
        "contact_unreadable",
        None,
    )
    assert Notification.objects.filter(status="sent").count() == 2
