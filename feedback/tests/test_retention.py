"""Retention that always runs (issue 12, point 7), with a moved clock and real PostgreSQL.

Adversary: the database reader months later. Every contact is gone 90 days after the response
(contacts added later too), or 180 days after the close when no response came; the daily task
of the application's own worker does it and queues its next run exactly once."""

from __future__ import annotations

import logging
import signal
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from feedback.intake.services import OpinionData
from feedback.models import AuditAction, AuditEntry, ConsultationResponse, Contact, Submission
from feedback.privacy import checks as retention_checks
from feedback.privacy.contacts import store_contact
from feedback.privacy.retention import purge_contacts
from feedback.privacy.tasks import (
    contacts_purge_daily,
    next_purge_at,
    purge_schedule,
    purge_schedule_after_migrate,
)
from feedback.tests.response_fixtures import build_world, publish_response
from feedback.tests.test_response import answer_all

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
SHANGHAI = ZoneInfo("Asia/Shanghai")
PURGE_PATH = "feedback.privacy.tasks.contacts_purge_daily"


def refs(consultation) -> set[str]:
    return set(
        Submission.objects.filter(consultation=consultation)
        .exclude(contact_ref="")
        .values_list("contact_ref", flat=True)
    )


def live_contacts(consultation) -> int:
    return Contact.objects.filter(ref__in=refs(consultation)).count()


def published(world):
    answer_all(world)
    publish_response(world, summary="说明")
    return ConsultationResponse.objects.get(consultation=world.consultation).published_at


def add_contact_later(submission, *, phone: str) -> str:
    """A contact attached to an opinion after the fact (as an edit or a clerk would)."""
    ref = store_contact(OpinionData(contact_phone=phone))
    Submission.objects.filter(pk=submission.pk).update(contact_ref=ref)
    return ref


@pytest.mark.django_db
def test_contacts_kept_89_days_gone_at_91_with_later_ones_too():
    world = build_world()
    at = published(world)
    assert live_contacts(world.consultation) == 3
    # A contact added 30 days after the response.
    with time_machine.travel(at + timedelta(days=30), tick=False):
        late = add_contact_later(world.subs[2], phone="13611112222")
    with time_machine.travel(at + timedelta(days=89), tick=False):
        assert contacts_purge_daily.call() == {"consultations": 0, "contacts_deleted": 0}
    assert live_contacts(world.consultation) == 4
    with time_machine.travel(at + timedelta(days=91), tick=False):
        assert contacts_purge_daily.call() == {"consultations": 1, "contacts_deleted": 4}
        now = timezone.now()
    assert not refs(world.consultation) and not Contact.objects.filter(ref=late).exists()
    assert (
        ConsultationResponse.objects.get(consultation=world.consultation).contacts_purged_at == now
    )
    entry = AuditEntry.objects.get(action=AuditAction.CONTACT_PURGE)
    assert entry.detail["reason"] == "response_published" and entry.detail["contacts_deleted"] == 4
    # Opinions stay; running again deletes and records nothing.
    assert Submission.objects.filter(consultation=world.consultation).count() == 7
    with time_machine.travel(at + timedelta(days=92), tick=False):
        contacts_purge_daily.call()
    assert AuditEntry.objects.filter(action=AuditAction.CONTACT_PURGE).count() == 1
    # A contact added after the purge goes on the next daily run.
    with time_machine.travel(at + timedelta(days=100), tick=False):
        later = add_contact_later(world.subs[3], phone="13633334444")
    with time_machine.travel(at + timedelta(days=101), tick=False):
        contacts_purge_daily.call()
    assert not Contact.objects.filter(ref=later).exists()
    assert AuditEntry.objects.filter(action=AuditAction.CONTACT_PURGE).count() == 2


@pytest.mark.django_db
def test_without_a_response_contacts_go_180_days_after_the_close():
    world = build_world()  # closed a day ago, never answered
    closed = world.consultation.closes_at
    with time_machine.travel(closed + timedelta(days=179), tick=False):
        contacts_purge_daily.call()
    assert live_contacts(world.consultation) == 3
    with time_machine.travel(closed + timedelta(days=181), tick=False):
        contacts_purge_daily.call()
    assert live_contacts(world.consultation) == 0 and not refs(world.consultation)
    entry = AuditEntry.objects.get(action=AuditAction.CONTACT_PURGE)
    assert entry.detail["reason"] == "no_response" and entry.detail["days"] == 180
    assert entry.consultation_id == world.consultation.pk


@pytest.mark.django_db
def test_retention_comes_from_the_settings(settings):
    settings.CONTACT_RETENTION_DAYS = 30
    settings.CONTACT_MAX_DAYS_AFTER_CLOSE = 60
    answered, silent = build_world(), build_world()
    at = published(answered)
    with time_machine.travel(at + timedelta(days=31), tick=False):
        purge_contacts()
    assert live_contacts(answered.consultation) == 0 and live_contacts(silent.consultation) == 3
    with time_machine.travel(silent.consultation.closes_at + timedelta(days=61), tick=False):
        purge_contacts()
    assert live_contacts(silent.consultation) == 0


@pytest.mark.django_db
def test_a_contact_no_opinion_refers_to_is_deleted():
    world = build_world()
    orphan = store_contact(OpinionData(contact_email="left-behind@example.org"))
    result = purge_contacts()
    assert result.orphans == 1 and not Contact.objects.filter(ref=orphan).exists()
    assert live_contacts(world.consultation) == 3


@pytest.mark.django_db
def test_the_cron_command_and_its_limits(settings):
    world = build_world()
    at = published(world)
    with pytest.raises(CommandError):
        call_command("purge_contacts", "--days", "120", stdout=StringIO())
    with time_machine.travel(at + timedelta(days=31), tick=False):
        out = StringIO()
        call_command("purge_contacts", "--days", "30", stdout=out)
    assert "3 contacts deleted (response_published)" in out.getvalue()
    out = StringIO()
    call_command("purge_contacts", "--schedule", stdout=out)
    assert "cannot run tasks later" in out.getvalue()  # the tests' immediate backend


def test_retention_settings_are_checked(settings):
    ids = lambda: {p.id for p in retention_checks.check_retention_settings()}  # noqa: E731
    assert ids() == set()
    settings.CONTACT_RETENTION_DAYS = 120
    settings.CONTACT_MAX_DAYS_AFTER_CLOSE = 365
    settings.CONTACT_PURGE_AT = "3 am"
    assert ids() == {"feedback.E311", "feedback.W313", "feedback.E314"}


# --- the daily task queues itself ----------------------------------------------------------


def test_next_run_is_the_next_local_purge_time(settings):
    settings.CONTACT_PURGE_AT = "03:15"
    before = datetime(2027, 3, 1, 2, 0, tzinfo=SHANGHAI)
    assert next_purge_at(before) == datetime(2027, 3, 1, 3, 15, tzinfo=SHANGHAI)
    at = datetime(2027, 3, 1, 3, 15, tzinfo=SHANGHAI)
    assert next_purge_at(at) == datetime(2027, 3, 2, 3, 15, tzinfo=SHANGHAI)
    utc_evening = datetime(2027, 3, 1, 20, 0, tzinfo=ZoneInfo("UTC"))  # 04:00 on the 2nd there
    assert next_purge_at(utc_evening) == datetime(2027, 3, 3, 3, 15, tzinfo=SHANGHAI)


def _waiting():
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(task_path=PURGE_PATH, status="READY")
        .order_by("run_after")
        .values_list("run_after", flat=True)
    )


@pytest.mark.django_db
def test_scheduling_keeps_one_waiting_run(settings):
    settings.TASKS = DATABASE_TASKS
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert purge_schedule() is True
        assert purge_schedule() is False  # a second call (another process, a re-run) adds none
        purge_schedule_after_migrate(sender=None, using="default")
        contacts_purge_daily.call()  # a run started by hand
    assert _waiting() == [datetime(2027, 3, 2, 3, 15, tzinfo=SHANGHAI)]
    # An earlier purge time moves the waiting run forward instead of adding one.
    settings.CONTACT_PURGE_AT = "01:00"
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        assert purge_schedule() is True
    assert _waiting() == [datetime(2027, 3, 2, 1, 0, tzinfo=SHANGHAI)]


def _worker(verbosity: int = 0):
    """The real `manage.py db_worker`, in this process, until the queue has nothing ready."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    loggers = {name: logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")}
    levels = {name: logger.level for name, logger in loggers.items()}
    try:
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--interval",
            "0",
            verbosity=verbosity,
        )
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        for name, logger in loggers.items():
            logger.setLevel(levels[name])


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_purge_and_it_queues_its_next_run_exactly_once(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    world = build_world()
    at = published(world)
    settings.TASKS = DATABASE_TASKS
    DBTaskResult.objects.all().delete()
    day_91 = timezone.localtime(at + timedelta(days=91), SHANGHAI).replace(
        hour=3, minute=0, second=0, microsecond=0
    )
    with time_machine.travel(day_91 - timedelta(hours=12), tick=False):
        purge_schedule()
    first_run = day_91.replace(minute=15)
    assert _waiting() == [first_run]
    with time_machine.travel(day_91, tick=False):
        _worker()  # 03:00: not due yet
    assert live_contacts(world.consultation) == 3 and _waiting() == [first_run]
    with time_machine.travel(first_run + timedelta(minutes=1), tick=False):
        _worker()
        _worker()  # nothing else is due: running the worker again changes nothing
    assert live_contacts(world.consultation) == 0
    done = DBTaskResult.objects.get(task_path=PURGE_PATH, status="SUCCESSFUL")
    assert done.return_value == {"consultations": 1, "contacts_deleted": 3}
    assert _waiting() == [first_run + timedelta(days=1)]
    assert DBTaskResult.objects.filter(task_path=PURGE_PATH).count() == 2
