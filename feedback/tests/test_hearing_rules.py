"""The law's rules for a hearing (R27, R30): notice period per kind, the list before the
hearing, materials 7 days before, every participant's confirmation or recorded refusal, the
report; and each statement in the opinion register (channel "hearing")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from consultations.models import Consultation
from consultations.roles import Role
from feedback.hearings import rules, services
from feedback.hearings.services import HearingRuleError
from feedback.models import AuditEntry, Channel, HearingParticipant, Submission
from feedback.tests import _hearing as h

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_draft_rules_need_30_days_notice_and_the_source_is_cited():
    c = h.consultation(Consultation.Kind.DRAFT_RULES)
    editor = h.editor_of(c)
    now = timezone.now()
    short = h.timeline(notice_days=29, now=now)
    hearing = h.hearing_for(c, editor, short)
    with pytest.raises(HearingRuleError) as refused:
        services.notice_publish(user=editor, hearing=hearing, now=now)
    assert "30" in str(refused.value) and "规章制定程序条例" in str(refused.value)
    hearing.refresh_from_db()
    assert hearing.notice_published_at is None
    exact = h.timeline(notice_days=30, now=now)
    hearing = h.hearing_for(c, editor, exact)
    services.notice_publish(user=editor, hearing=hearing, now=now)
    hearing.refresh_from_db()
    assert hearing.notice_days == 30


def test_notice_days_are_configurable_per_kind(settings):
    settings.HEARING_NOTICE_DAYS = {"major_decision": 45}
    assert rules.notice_days("major_decision") == 45
    assert rules.notice_days("draft_rules") == 30
    c = h.consultation()
    editor = h.editor_of(c)
    now = timezone.now()
    hearing = h.hearing_for(c, editor, h.timeline(notice_days=44, now=now))
    with pytest.raises(HearingRuleError):
        services.notice_publish(user=editor, hearing=hearing, now=now)


def test_the_notice_fixes_time_place_and_method():
    c = h.consultation()
    editor = h.editor_of(c)
    t = h.timeline()
    hearing = h.hearing_for(c, editor, t)
    services.notice_publish(user=editor, hearing=hearing, now=t.notice)
    with pytest.raises(HearingRuleError):
        h.hearing_for(c, editor, h.timeline(notice_days=50))


def test_registration_only_while_open_and_list_frozen_after_close():
    c = h.consultation()
    editor = h.editor_of(c)
    t = h.timeline()
    hearing = h.hearing_for(c, editor, t)
    with pytest.raises(services.RegistrationClosed):  # notice not published
        h.register(hearing, "affected", now=t.notice)
    services.notice_publish(user=editor, hearing=hearing, now=t.notice)
    with pytest.raises(HearingRuleError):
        services.list_freeze(user=editor, hearing=hearing, now=t.closes - timedelta(minutes=1))
    h.register(hearing, "affected", now=t.notice + timedelta(days=1))
    with pytest.raises(services.RegistrationClosed):
        h.register(hearing, "affected", now=t.closes)
    assert hearing.registrations.count() == 1


def test_cannot_be_held_without_list_before_and_materials_7_days_before():
    c = h.consultation()
    editor = h.editor_of(c)
    hearing, t = h.through_draw(c, editor)
    after = t.starts + timedelta(hours=3)
    problems = services.held_problems(hearing, after)
    assert any("participant list" in p for p in problems)
    assert any("materials were sent" in p for p in problems)
    with pytest.raises(HearingRuleError):
        services.hearing_mark_held(user=editor, hearing=hearing, now=after)
    # The list cannot be published once the hearing has started.
    with pytest.raises(HearingRuleError):
        services.participants_publish(user=editor, hearing=hearing, now=t.starts)


def test_materials_six_days_before_refuses_held_seven_allows():
    c = h.consultation()
    editor = h.editor_of(c)
    hearing, t = h.to_held(c, editor, materials_days_before=6)
    after = t.starts + timedelta(hours=3)
    with pytest.raises(HearingRuleError) as refused:
        services.hearing_mark_held(user=editor, hearing=hearing, now=after)
    assert "7 days" in str(refused.value)
    services.materials_sent_record(
        user=editor,
        hearing=hearing,
        sent_on=timezone.localdate(t.starts) - timedelta(days=7),
        now=after,
    )
    services.hearing_mark_held(user=editor, hearing=hearing, now=after)
    hearing.refresh_from_db()
    assert hearing.held_at == after


def test_every_participant_confirms_or_refusal_is_recorded():
    c = h.consultation()
    editor = h.editor_of(c)
    hearing, t = h.to_held(c, editor)
    after = t.starts + timedelta(hours=3)
    p = hearing.participants.last()
    HearingParticipant.objects.filter(pk=p.pk).update(confirmation="pending")
    with pytest.raises(HearingRuleError) as refused:
        services.hearing_mark_held(user=editor, hearing=hearing, now=after)
    assert "neither confirmed" in str(refused.value)
    with pytest.raises(HearingRuleError):  # a refusal without saying how is not recorded
        services.participant_confirm(
            user=editor, participant=p, confirmed=False, note=" ", now=after
        )
    services.participant_confirm(
        user=editor,
        participant=p,
        confirmed=False,
        note="拒绝签字，理由：不同意记录第3条",
        now=after,
    )
    services.hearing_mark_held(user=editor, hearing=hearing, now=after)
    refusal = hearing.participants.get(pk=p.pk)
    assert refusal.confirmation == HearingParticipant.Confirmation.REFUSED
    assert refusal.confirmation_note


def test_statement_enters_the_register_with_channel_hearing():
    c = h.consultation()
    editor = h.editor_of(c)
    before = Submission.objects.filter(consultation=c).count()
    hearing, t = h.to_held(c, editor)
    item = hearing.record_items.get()
    assert item.submission is not None
    s = Submission.objects.get(pk=item.submission_id)
    assert (s.channel, s.stance, s.comment) == (Channel.HEARING, "oppose", "补偿标准偏低。")
    assert s.submitted_on == timezone.localdate(t.starts)
    assert Submission.objects.filter(consultation=c).count() == before + 1
    # A question is part of the record but not an opinion.
    services.record_item_add(
        user=editor,
        hearing=hearing,
        kind="question",
        text="补偿何时发放？",
        speaker=hearing.participants.first(),
        now=t.starts + timedelta(hours=2),
    )
    assert Submission.objects.filter(consultation=c).count() == before + 1


def test_statement_after_the_close_counts_until_the_response():
    now = timezone.now()
    c = h.consultation()
    Consultation.objects.filter(pk=c.pk).update(closes_at=now - timedelta(days=30))
    c.refresh_from_db()
    editor = h.editor_of(c)
    hearing, t = h.to_held(c, editor)  # the hearing was 20 days ago: after the close
    assert hearing.record_items.get().submission_id is not None


def test_report_needs_held_views_and_an_approver_and_is_audited():
    c = h.consultation()
    editor = h.editor_of(c)
    approver = h.editor_of(c, Role.APPROVER)
    hearing, t = h.to_held(c, editor)
    after = t.starts + timedelta(hours=3)
    with pytest.raises(HearingRuleError):
        services.report_publish(user=approver, hearing=hearing, report="报告", now=after)
    services.hearing_mark_held(user=editor, hearing=hearing, now=after)
    with pytest.raises(HearingRuleError):  # no views listed
        services.report_publish(user=approver, hearing=hearing, report="报告", now=after)
    services.view_add(
        user=editor, hearing=hearing, summary="提高补偿", adopted=True, reason="已调整"
    )
    services.view_add(
        user=editor, hearing=hearing, summary="取消项目", adopted=False, reason="确有必要"
    )
    with pytest.raises(PermissionDenied):
        services.report_publish(user=editor, hearing=hearing, report="报告", now=after)
    services.report_publish(user=approver, hearing=hearing, report="听证报告正文", now=after)
    hearing.refresh_from_db()
    assert hearing.report_published_at == after
    from consultations.models import DecisionStep

    step = DecisionStep.objects.get(consultation=c, step="hearing")
    assert (step.status, step.date) == ("done", timezone.localdate(t.starts))
    assert "1" in step.summary and step.url.endswith("/hearing/#report")
    steps = list(
        AuditEntry.objects.filter(action="hearing", consultation_id=c.pk).values_list(
            "detail__step", flat=True
        )
    )
    for step in (
        "create",
        "notice_publish",
        "list_freeze",
        "draw",
        "participants_publish",
        "materials_sent",
        "record_add",
        "confirmation",
        "held",
        "view_add",
        "report_publish",
    ):
        assert step in steps
