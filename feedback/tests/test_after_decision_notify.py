"""Telling residents that a post-decision evaluation opened (issue 16 point 5): exactly those who
left a contact on the original (either phase) and did not withdraw, once each however often the
task runs or is interrupted, with the evaluation's link and never their opinion; every contact
read logged."""

from __future__ import annotations

import pytest
from django.core import mail

from consultations.followup import follow_up_open
from consultations.tests.factories import make_openable
from feedback.after_decision import notify
from feedback.after_decision.tasks import notify_follow_up
from feedback.models import ContactAccessLog, Notification, Submission
from feedback.response.sms import LocmemSMSBackend
from feedback.tests._after_decision import decided_world, implementation_opinion
from feedback.tests.response_fixtures import department_approver

pytestmark = pytest.mark.django_db

LATE = "shigong.yijian@example.org"
GONE = "withdrawn.resident@example.org"


def _sent() -> list[str]:
    return [phone for phone, _text in LocmemSMSBackend.outbox] + [m.to[0] for m in mail.outbox]


def _texts() -> str:
    return "\n".join([text for _p, text in LocmemSMSBackend.outbox] + [m.body for m in mail.outbox])


@pytest.fixture
def world(consultation_index):
    LocmemSMSBackend.outbox.clear()
    world = decided_world()
    c = world.consultation
    world.extra["late"] = implementation_opinion(
        c, comment="夜间施工噪音扰民，请调整施工时间。", contact_email=LATE
    )
    implementation_opinion(c, comment="没有留联系方式。")
    gone = implementation_opinion(c, comment="后来撤回的意见。", contact_email=GONE)
    # A withdrawn opinion that somehow kept its contact is still never written to.
    Submission.objects.filter(pk=gone.pk).update(withdrawn=True, withdrawn_at=gone.received_at)
    mail.outbox.clear()
    return world


def _open_and_publish(world, django_capture_on_commit_callbacks):
    approver = department_approver(world)
    follow_up = follow_up_open(consultation=world.consultation, user=approver)
    assert not notify.ready(world.consultation)
    assert notify_follow_up.call(world.consultation.pk) == 0 and _sent() == []
    make_openable(follow_up)
    with django_capture_on_commit_callbacks(execute=True):
        follow_up.save_revision(user=approver).publish(user=approver, skip_permission_checks=True)
    return follow_up


def test_exactly_those_who_asked_are_told_once(world, django_capture_on_commit_callbacks):
    follow_up = _open_and_publish(world, django_capture_on_commit_callbacks)
    expected = ["13800138000", "resident1@example.org", "resident6@example.org", LATE]
    assert sorted(_sent()) == sorted(expected)
    # Run again, twice: nothing is sent twice.
    assert notify_follow_up.call(world.consultation.pk) == 0
    assert notify_follow_up.call(world.consultation.pk) == 0
    assert sorted(_sent()) == sorted(expected)
    rows = Notification.objects.filter(kind=Notification.Kind.FOLLOW_UP)
    assert rows.filter(status="sent").count() == 4 and rows.count() == 4
    # The message carries the evaluation's link, never an opinion, a receipt or a stance.
    texts = _texts()
    assert f"/consultations/{follow_up.slug}/" in texts
    for s in Submission.objects.filter(consultation=world.consultation):
        assert s.comment not in texts and s.receipt not in texts
    # Every contact read is logged with its purpose.
    reads = ContactAccessLog.objects.filter(purpose=notify.PURPOSE)
    assert reads.count() == 4 and set(reads.values_list("context", flat=True)) == {"reply_sender"}


def test_the_response_notice_is_a_separate_kind(world, django_capture_on_commit_callbacks):
    from feedback.response.notify import notifications_prepare

    # Opinions during implementation are not told about the response.
    notifications_prepare(world.consultation.pk)
    told = Notification.objects.filter(kind=Notification.Kind.RESPONSE)
    assert not told.filter(submission=world.extra["late"]).exists()
    before = told.count()
    _open_and_publish(world, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(kind=Notification.Kind.RESPONSE).count() == before


def test_the_notices_twice_and_interrupted_send_no_message_twice(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from feedback.response import notify as machinery
    from feedback.tests._interrupt import die_after_delivering

    restore = die_after_delivering(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        _open_and_publish(world, django_capture_on_commit_callbacks)
    restore()
    notify_follow_up.call(world.consultation.pk)
    notify_follow_up.call(world.consultation.pk)
    sent = _sent()
    assert len(sent) == len(set(sent)) == 4  # every contact once, none twice
    rows = Notification.objects.filter(kind=Notification.Kind.FOLLOW_UP)
    interrupted = rows.get(last_error=machinery.INTERRUPTED)
    assert interrupted.status == "failed" and interrupted.next_attempt_at is None


def test_the_staff_screen_shows_the_notice_counts_and_no_contact(
    client, world, django_capture_on_commit_callbacks
):
    _open_and_publish(world, django_capture_on_commit_callbacks)
    client.force_login(department_approver(world))
    screen = client.get(f"/admin/after-decision/{world.consultation.pk}/").content.decode()
    assert 'data-notices="sent">4<' in screen
    for secret in (LATE, GONE, "resident1@example.org", "13800138000"):
        assert secret not in screen
    queued = client.post(f"/admin/after-decision/{world.consultation.pk}/notices/")
    assert queued.status_code == 302
    assert len(_sent()) == 4  # queuing again sends nothing that was sent
