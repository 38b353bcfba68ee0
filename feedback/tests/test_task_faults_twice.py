"""Every task is safe to run twice (issue 13, point 5).

The worker runs a task again when its worker died or lost the database (cms/tasks_worker.py),
also after the task had done its work. So each task of the project, run twice, or interrupted
and run again, must leave the same end state: no opinion grouped twice, no message sent twice,
no second export file, no second audit entry. ``TWICE`` lists every task with the test that
proves it; ``test_every_task_of_the_project_has_its_run_twice_test`` fails for a new task that
has none.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from feedback.campaigns import grouping
from feedback.campaigns.tasks import group_new_opinions, opinions_arrived, regroup_task
from feedback.intake.services import OpinionData, submission_create
from feedback.models import (
    AuditAction,
    AuditEntry,
    CampaignGroup,
    CampaignScanState,
    Contact,
    Disposition,
    Notification,
    StaffJob,
    Submission,
    Suggestion,
    TextSignature,
)
from feedback.search.index import index_new_opinions

ROOT = Path(__file__).resolve().parents[2]

# Every task of the project -> the test (file::name) that runs it twice or interrupted.
TWICE = {
    "feedback.campaigns.tasks.opinions_arrived": "test_task_faults_twice.py::test_grouping_and_indexing_twice",
    "feedback.campaigns.tasks.group_new_opinions": "test_task_faults_twice.py::test_grouping_and_indexing_twice",
    "feedback.search.index.index_new_opinions": "test_task_faults_twice.py::test_grouping_and_indexing_twice",
    "feedback.campaigns.tasks.regroup_task": "test_task_faults_twice.py::test_regroup_twice_and_interrupted",
    "feedback.exports.files.run_export": "test_exports_faults.py::test_an_export_interrupted_then_run_again_leaves_one_complete_file",
    "feedback.exports.files.exports_cleanup": "test_exports_faults.py::test_files_are_deleted_after_the_retention_and_the_download_says_it_expired",
    "feedback.response.tasks.notify_response": "test_task_faults_twice.py::test_notifications_twice_and_interrupted_send_no_message_twice",
    "feedback.response.tasks.render_response_pdfs": "test_task_faults_twice.py::test_response_pdfs_twice",
    "feedback.privacy.tasks.contacts_purge_daily": "test_task_faults_twice.py::test_contact_purge_twice",
    "feedback.privacy.audit_checkpoints.audit_checkpoint_daily": "test_audit_checkpoints.py::test_one_checkpoint_a_day_even_when_run_twice",
    "feedback.coding.suggest.generate_suggestions": "test_task_faults_twice.py::test_suggestions_twice_and_interrupted",
    "feedback.dossier.tasks.run_dossier": "test_dossier.py::test_the_dossier_task_run_twice_or_after_a_crash_leaves_one_file",
    "feedback.after_decision.tasks.notify_follow_up": "test_after_decision_notify.py::test_the_notices_twice_and_interrupted_send_no_message_twice",
    "feedback.intake.import_jobs.import_file": "test_upload_limits.py::test_the_file_waits_privately_for_the_worker_and_is_deleted",
}

TASK = re.compile(r"^@task\([^)]*\)\s*\n(?:async )?def (\w+)", re.M)


def project_tasks() -> set[str]:
    found = set()
    for package in ("cms", "feedback", "consultations"):
        for path in (ROOT / package).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found |= {f"{module}.{name}" for name in TASK.findall(path.read_text())}
    return found


def test_every_task_of_the_project_has_its_run_twice_test():
    tasks = project_tasks()
    assert tasks, "no task found: the pattern is out of date"
    missing = sorted(tasks - set(TWICE))
    assert not missing, f"tasks without a run-twice test (add one to TWICE): {missing}"
    for task_path, where in TWICE.items():
        filename, name = where.split("::")
        source = (ROOT / "feedback" / "tests" / filename).read_text()
        assert f"def {name}(" in source, f"{task_path}: {where} does not exist"
    assert not set(TWICE) - tasks, f"tasks that no longer exist: {sorted(set(TWICE) - tasks)}"


# --- campaign grouping, search indexing, regroup ------------------------------------------------

LETTER = (
    "我们坚决反对在松林镇建设生活垃圾焚烧发电厂，选址距离居民区不足一公里，"
    "二噁英排放将严重威胁周边三万居民和两所小学师生的身体健康，请重新论证选址。"
)
EDITED = LETTER.replace("三万居民", "四万多居民").replace("请重新论证选址", "恳请重新论证")
OTHER = (
    "建议在施工期间加强渣土车管理，夜间十点以后禁止施工，并在主干道两侧增设隔音屏，"
    "减少对沿线学校和医院的噪声影响。"
)
OTHER_EDIT = OTHER.replace("夜间十点以后", "晚上十点后").replace("医院", "卫生院")


def opine(consultation, comment: str) -> Submission:
    return submission_create(
        consultation=consultation, data=OpinionData(comment=comment), token=uuid.uuid4()
    )[0]


def grouping_state(consultation) -> dict:
    groups = CampaignGroup.objects.filter(consultation=consultation)
    return {
        "groups": sorted(
            (
                g.status,
                g.kind,
                tuple(sorted(g.members.values_list("submission_id", flat=True))),
                g.representative_id,
            )
            for g in groups
        ),
        "signatures": sorted(
            TextSignature.objects.filter(submission__consultation=consultation).values_list(
                "submission_id", "text_hash"
            )
        ),
        "indexed": sorted(
            Submission.objects.filter(
                consultation=consultation, search_vector__isnull=False
            ).values_list("pk", flat=True)
        ),
        "watermark": CampaignScanState.objects.filter(consultation=consultation)
        .values_list("last_submission_id", flat=True)
        .first(),
    }


@pytest.fixture
def opinions(open_consultation):
    texts = [LETTER, LETTER, LETTER, EDITED, OTHER, OTHER_EDIT, "我支持这个方案。", EDITED]
    return [opine(open_consultation, text) for text in texts]


@pytest.mark.django_db
def test_grouping_and_indexing_twice(open_consultation, opinions):
    c = open_consultation
    opinions_arrived.call(c.pk)
    once = grouping_state(c)
    assert len(once["groups"]) == 2 and len(once["signatures"]) == 8 and len(once["indexed"]) == 8
    opinions_arrived.call(c.pk)
    group_new_opinions.call(c.pk)  # the older task names, still in old queues
    index_new_opinions.call(c.pk)
    assert grouping_state(c) == once


@pytest.mark.django_db
def test_regroup_twice_and_interrupted(open_consultation, opinions, monkeypatch):
    c = open_consultation
    regroup_task.call(c.pk)
    clean = grouping_state(c)
    regroup_task.call(c.pk)
    twice = grouping_state(c)
    assert _without_ids(twice) == _without_ids(clean)
    # Killed after the first batch: some opinions signed again, the others not yet.
    monkeypatch.setattr(grouping, "REGROUP_BATCH_SIZE", 3)
    real = grouping._process_batch
    calls = []

    def dies_after_one(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise KeyboardInterrupt  # as the worker's process ending in the middle
        return real(*args, **kwargs)

    monkeypatch.setattr(grouping, "_process_batch", dies_after_one)
    with pytest.raises(KeyboardInterrupt):
        regroup_task.call(c.pk)
    assert len(grouping_state(c)["signatures"]) == 3
    monkeypatch.setattr(grouping, "_process_batch", real)
    regroup_task.call(c.pk)  # run again after the lease
    assert _without_ids(grouping_state(c)) == _without_ids(clean)


def _without_ids(state: dict) -> dict:
    """Groups are rebuilt as new rows by a regroup; compare what they hold."""
    return {**state, "groups": sorted((s, k, m) for s, k, m, _rep in state["groups"])}


# --- notifications ------------------------------------------------------------------------------


@pytest.fixture
def published_world(settings, django_capture_on_commit_callbacks):
    from feedback.response import services
    from feedback.response.sms import LocmemSMSBackend
    from feedback.tests.response_fixtures import build_world

    settings.SMS_BACKEND = "feedback.response.sms.LocmemSMSBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PUBLIC_BASE_URL = "https://consult.example.gov.cn"
    # Published without running the tasks: the tests run them.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    LocmemSMSBackend.outbox.clear()
    world = build_world()
    health, money = world.themes
    services.disposition_set(
        user=world.editor,
        theme=health,
        disposition=Disposition.ADOPTED,
        changed_clauses=[world.new_clause],
    )
    services.disposition_set(
        user=world.editor,
        theme=money,
        disposition=Disposition.NOT_ADOPTED,
        reason="补偿标准由省级文件规定，本方案不作调整。",
    )
    with django_capture_on_commit_callbacks(execute=True):
        _publish(services, world)
    yield world
    LocmemSMSBackend.outbox.clear()


def _publish(services, world) -> None:
    """Published as the response screens do: by an approver after the editor submitted it
    (two people, issue 13), or by the editor where that step does not exist."""
    if not hasattr(services, "response_approve"):
        services.response_publish(
            user=world.editor, consultation=world.consultation, summary="说明"
        )
        return
    from consultations.roles import Role
    from consultations.tests.factories import UserFactory

    approver = UserFactory.with_role(Role.APPROVER, department=world.consultation.department)
    services.response_submit(user=world.editor, consultation=world.consultation, summary="说明")
    services.response_approve(user=approver, consultation=world.consultation)


def _sent() -> list[str]:
    from feedback.response.sms import LocmemSMSBackend

    return [phone for phone, _ in LocmemSMSBackend.outbox] + [m.to[0] for m in mail.outbox]


@pytest.mark.django_db
def test_notifications_twice_and_interrupted_send_no_message_twice(published_world, monkeypatch):
    from feedback.response import notify
    from feedback.response.tasks import notify_response
    from feedback.tests._interrupt import die_after_delivering

    c = published_world.consultation
    restore = die_after_delivering(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        notify_response.call(c.pk)
    restore()
    notify_response.call(c.pk)  # run again after the lease
    notify_response.call(c.pk)  # and once more
    sent = _sent()
    assert len(sent) == len(set(sent)) == 3  # every contact once, none twice
    rows = Notification.objects.filter(submission__consultation=c)
    assert rows.filter(status="sent").count() == 2
    # The one whose message went out as the worker died: failed as interrupted, for staff.
    interrupted = rows.get(last_error=notify.INTERRUPTED)
    assert interrupted.status == "failed" and interrupted.next_attempt_at is None
    assert interrupted.attempts == 1


@pytest.mark.django_db
def test_response_pdfs_twice(published_world):
    from feedback.response.tasks import render_response_pdfs

    c = published_world.consultation
    first = render_response_pdfs.call(c.pk)
    assert first and render_response_pdfs.call(c.pk) == first


@pytest.mark.django_db
def test_contact_purge_twice(published_world):
    from feedback.privacy.tasks import contacts_purge_daily

    c = published_world.consultation
    with time_machine.travel(timezone.now() + timedelta(days=91), tick=False):
        first = contacts_purge_daily.call()
        assert first["contacts_deleted"] >= 3
        assert contacts_purge_daily.call() == {"consultations": 0, "contacts_deleted": 0}
    assert not Contact.objects.filter(
        ref__in=Submission.objects.filter(consultation=c).values("contact_ref")
    ).exists()


# --- suggestions ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_suggestions_twice_and_interrupted():
    from consultations.roles import Role
    from consultations.tests.factories import UserFactory, published_consultation
    from feedback.coding import suggest
    from feedback.tests.test_suggestions import labelled_opinions, store

    consultation = published_consultation()
    analyst = UserFactory.with_role(Role.ANALYST, consultation.department)
    store(consultation, [text for text, _ in labelled_opinions(80)])
    job = suggest.start_suggestions(analyst, consultation)  # runs at once in the tests
    job.refresh_from_db()
    assert job.status == StaffJob.Status.DONE

    def state():
        return (
            sorted(
                Suggestion.objects.filter(consultation=consultation).values_list(
                    "kind", "label", "size"
                )
            ),
            AuditEntry.objects.filter(
                action=AuditAction.SUGGESTION, detail__op="generated"
            ).count(),
        )

    once = state()
    assert once[0] and once[1] == 1
    suggest.generate_suggestions.call(job.pk)  # the finished job, run again
    assert state() == once
    # A worker killed in the middle left the job running: the next run finishes it once.
    StaffJob.objects.filter(pk=job.pk).update(status=StaffJob.Status.RUNNING, done=2)
    suggest.generate_suggestions.call(job.pk)
    again = state()
    assert again[0] == once[0] and again[1] == 2  # one entry per completed run
    suggest.generate_suggestions.call(job.pk)
    assert state() == again
