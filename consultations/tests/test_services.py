"""Publication, extension (R14), stage, draft versions and the public change log (R9)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from consultations.models import ChangeLogEntry, Consultation, DraftVersion, Stage
from consultations.roles import Role, user_roles
from consultations.rules import ConsultationRuleError
from consultations.services import (
    consultation_extend,
    consultation_record_edit,
    consultation_set_stage,
    draft_version_create,
)
from consultations.tests.factories import (
    ConsultationFactory,
    DraftClauseFactory,
    QuestionFactory,
    UserFactory,
    make_openable,
    published_consultation,
)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2025, 9, 1, 9, tzinfo=SH)
CLOSES = datetime(2025, 10, 17, tzinfo=SH)  # 24:00 on 2025-10-16


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def editor():
    return UserFactory.with_role(Role.EDITOR)


@pytest.fixture
def open_consultation(clock, editor):
    return published_consultation(user=editor, opens_at=NOW, closes_at=CLOSES, clauses=3)


def edit(consultation, **fields):
    """What the admin does: load the live object, change it, save a revision, publish it."""
    obj = Consultation.objects.get(pk=consultation.pk)
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj


def republish(obj, user=None):
    obj.save_revision(user=user).publish(user=user, skip_permission_checks=True)
    return Consultation.objects.get(pk=obj.pk)


def test_factories_give_working_users_and_roles():
    c = ConsultationFactory()
    u = UserFactory.with_role(Role.EDITOR, department=c.department)
    assert user_roles(u) == {Role.EDITOR}
    assert u.check_password("pw")
    u2 = UserFactory(roles=[Role.ANALYST], department=c.department)
    assert u2.staff_profile.department == c.department
    assert u2.check_password("pw")


# Opening ----------------------------------------------------------------------------------
def test_first_publication_freezes_version_1_and_logs_it(open_consultation, editor):
    c = open_consultation
    assert c.live and c.status_at(NOW) == Consultation.Status.OPEN
    version = DraftVersion.objects.get(consultation=c)
    assert version.number == 1
    texts = [dc.text for dc in c.draft_clauses.order_by("sort_order")]
    assert list(version.clauses.order_by("number").values_list("number", "text")) == list(
        enumerate(texts, start=1)
    )
    entry = c.change_log.get()
    assert entry.type == ChangeLogEntry.Type.PUBLISHED
    assert entry.actor == editor
    assert "2025年9月1日 09:00" in entry.summary and "2025年10月16日24时" in entry.summary
    assert "24:00 on 16 October 2025" in entry.summary_en


def test_unpublished_scheduled_consultation_is_not_opened_until_live(clock):
    c = ConsultationFactory()
    make_openable(c, opens_at=NOW + timedelta(days=3))
    c.go_live_at = NOW + timedelta(days=1)
    c.save()
    c.save_revision().publish()
    c.refresh_from_db()
    assert not c.live
    assert not c.draft_versions.exists() and not c.change_log.exists()


# R14 extension ----------------------------------------------------------------------------
def test_extending_later_updates_live_row_revision_and_change_log(open_consultation, editor):
    c = open_consultation
    new_close = datetime(2025, 10, 31, tzinfo=SH)
    entry = consultation_extend(
        consultation=c, closes_at=new_close, reason="应群众要求延长。", user=editor
    )
    c.refresh_from_db()
    assert c.closes_at == new_close
    assert c.get_latest_revision().as_object().closes_at == new_close
    assert entry.type == ChangeLogEntry.Type.EXTENDED and entry.reason == "应群众要求延长。"
    assert "2025年10月16日24时" in entry.summary and "2025年10月30日24时" in entry.summary
    assert "from 24:00 on 16 October 2025 to 24:00 on 30 October 2025" in entry.summary_en


def test_moving_the_close_earlier_after_opening_is_rejected(open_consultation, editor):
    for earlier in (CLOSES - timedelta(days=1), CLOSES):
        with pytest.raises(ConsultationRuleError) as err:
            consultation_extend(
                consultation=open_consultation, closes_at=earlier, reason="理由", user=editor
            )
        assert err.value.violations[0].code == "not_later"
    open_consultation.refresh_from_db()
    assert open_consultation.closes_at == CLOSES
    assert not open_consultation.change_log.filter(type=ChangeLogEntry.Type.EXTENDED).exists()


def test_extension_needs_a_reason(open_consultation, editor):
    with pytest.raises(ConsultationRuleError) as err:
        consultation_extend(
            consultation=open_consultation,
            closes_at=CLOSES + timedelta(days=5),
            reason=" ",
            user=editor,
        )
    assert "reason" in err.value.message_dict


def test_unpublished_consultation_cannot_be_extended(clock, editor):
    c = make_openable(ConsultationFactory(), opens_at=NOW)
    with pytest.raises(ConsultationRuleError):
        consultation_extend(
            consultation=c, closes_at=c.closes_at + timedelta(days=3), reason="x", user=editor
        )


def test_republishing_cannot_move_dates_once_opened(open_consultation, editor):
    obj = edit(
        open_consultation,
        closes_at=CLOSES - timedelta(days=10),
        explanatory_note="更新说明",
        change_note="补充说明。",
    )
    c = republish(obj, editor)
    assert c.closes_at == CLOSES and c.opens_at == NOW


# Re-publication while open ----------------------------------------------------------------
def test_republishing_open_consultation_with_changed_clauses_is_rejected(open_consultation):
    obj = edit(open_consultation, change_note="修改条款。")
    clause = obj.draft_clauses.all()[0]
    clause.text = "改过的条文。"
    obj.draft_clauses = [clause, *obj.draft_clauses.all()[1:]]
    with pytest.raises(ConsultationRuleError) as err:
        republish(obj)
    assert "draft_clauses" in err.value.message_dict
    assert "改过的条文。" not in open_consultation.draft_clauses.values_list("text", flat=True)
    assert not open_consultation.change_log.filter(type=ChangeLogEntry.Type.EDITED).exists()


def test_republishing_open_consultation_with_changed_questions_is_rejected(clock):
    c = published_consultation(opens_at=NOW, closes_at=CLOSES)
    QuestionFactory(consultation=c)  # a question added directly, then published content
    obj = edit(c, change_note="改问题。")
    obj.questions = []
    with pytest.raises(ConsultationRuleError) as err:
        republish(obj)
    assert "questions" in err.value.message_dict


def test_republishing_after_opening_needs_a_change_note(open_consultation):
    with pytest.raises(ConsultationRuleError) as err:
        republish(edit(open_consultation, explanatory_note="新的起草说明。"))
    assert "change_note" in err.value.message_dict


def test_republishing_with_note_logs_what_changed_and_clears_the_note(open_consultation, editor):
    c = republish(
        edit(open_consultation, explanatory_note="新的起草说明。", change_note="补充背景。"),
        editor,
    )
    assert c.explanatory_note == "新的起草说明。"
    assert c.change_note == ""
    entry = c.change_log.get(type=ChangeLogEntry.Type.EDITED)
    assert entry.reason == "补充背景。" and entry.actor == editor
    assert "explanatory note" in entry.summary_en


def test_republishing_without_changes_needs_no_note_and_logs_nothing(open_consultation):
    republish(edit(open_consultation))
    assert not open_consultation.change_log.filter(type=ChangeLogEntry.Type.EDITED).exists()


def test_republishing_cannot_remove_a_required_part(open_consultation):
    with pytest.raises(ConsultationRuleError) as err:
        republish(edit(open_consultation, explanatory_note="", change_note="删除。"))
    assert "explanatory_note" in err.value.message_dict


def test_upcoming_consultation_may_move_dates_within_the_rules(clock):
    c = published_consultation(opens_at=NOW + timedelta(days=5))
    later = NOW + timedelta(days=10)
    c = republish(edit(c, opens_at=later, closes_at=later + timedelta(days=40)))
    assert c.opens_at == later
    with pytest.raises(ConsultationRuleError):
        republish(edit(c, closes_at=later + timedelta(days=3)))


def test_record_edit_requires_reason_once_opened(open_consultation, editor):
    new = edit(open_consultation, title="新标题")
    with pytest.raises(ConsultationRuleError):
        consultation_record_edit(old=open_consultation, new=new, user=editor)
    new.change_note = "标题更准确。"
    entry = consultation_record_edit(old=open_consultation, new=new, user=editor)
    assert entry.type == ChangeLogEntry.Type.EDITED and "title" in entry.summary_en


# After the close: stage and draft versions ------------------------------------------------
def test_stage_cannot_change_while_open(open_consultation, editor):
    with pytest.raises(ConsultationRuleError):
        consultation_set_stage(
            consultation=open_consultation, stage=Stage.RESPONSE_PUBLISHED, user=editor
        )


def test_stage_changes_after_close_and_is_logged(open_consultation, editor, clock):
    clock.move_to(CLOSES, tick=False)
    consultation_set_stage(consultation=open_consultation, stage=Stage.DECIDED, user=editor)
    c = Consultation.objects.get(pk=open_consultation.pk)
    assert c.stage == Stage.DECIDED and c.decided_at == CLOSES
    assert c.status_at(CLOSES) == Consultation.Status.DECIDED
    assert c.change_log.filter(type=ChangeLogEntry.Type.STAGE).count() == 1
    # A later republication by an editor keeps the stage the service set.
    c = republish(edit(c, stage=Stage.CONSULTING, change_note="x"))
    assert c.stage == Stage.DECIDED


def test_new_draft_version_rejected_while_open(open_consultation, editor):
    with pytest.raises(ConsultationRuleError):
        draft_version_create(consultation=open_consultation, user=editor, note="修改")


def test_new_draft_version_after_close(open_consultation, editor, clock):
    clock.move_to(CLOSES + timedelta(days=1), tick=False)
    with pytest.raises(ConsultationRuleError):
        draft_version_create(consultation=open_consultation, user=editor, note="没有修改")
    DraftClauseFactory(consultation=open_consultation, sort_order=99, text="新增条款。")
    version = draft_version_create(
        consultation=open_consultation, user=editor, note="根据意见新增一条。", note_en="Added."
    )
    assert version.number == 2
    assert version.clauses.count() == 4
    assert version.clauses.get(number=4).text == "新增条款。"
    assert DraftVersion.objects.get(consultation=open_consultation, number=1).clauses.count() == 3
    entry = open_consultation.change_log.get(type=ChangeLogEntry.Type.DRAFT_VERSION)
    assert entry.reason == "根据意见新增一条。"


def test_republishing_changed_clauses_after_close_creates_a_version(open_consultation, clock):
    clock.move_to(CLOSES + timedelta(days=1), tick=False)
    obj = edit(open_consultation, change_note="根据意见修改第一条。")
    first, *rest = obj.draft_clauses.all()
    first.text = "修改后的第一条。"
    obj.draft_clauses = [first, *rest]
    c = republish(obj)
    v2 = c.draft_versions.get(number=2)
    assert v2.note == "根据意见修改第一条。"
    assert v2.clauses.get(number=1).text == "修改后的第一条。"


def test_scheduled_republication_is_logged_once_when_it_goes_live(open_consultation, clock):
    go_live = NOW + timedelta(days=2)
    obj = edit(
        open_consultation,
        explanatory_note="定时更新。",
        change_note="定时修改。",
        go_live_at=go_live,
    )
    revision = obj.save_revision()
    revision.publish(skip_permission_checks=True)
    c = Consultation.objects.get(pk=open_consultation.pk)
    assert c.explanatory_note != "定时更新。"
    assert not c.change_log.filter(type=ChangeLogEntry.Type.EDITED).exists()
    clock.move_to(go_live + timedelta(minutes=1), tick=False)
    revision.publish(skip_permission_checks=True)  # what publish_scheduled does
    c = Consultation.objects.get(pk=open_consultation.pk)
    assert c.explanatory_note == "定时更新。"
    assert c.change_log.filter(type=ChangeLogEntry.Type.EDITED).count() == 1
