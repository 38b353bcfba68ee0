"""The response: dispositions, the publication check, publishing, notifications (R19–R21, R24)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consultations.models import ChangeLogEntry, Consultation, Department
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from feedback.analysis import aggregates
from feedback.models import (
    AuditAction,
    AuditEntry,
    ContactAccessLog,
    Disposition,
    Notification,
    Submission,
    SubmissionStatus,
)
from feedback.response import selectors
from feedback.response.counts import response_totals, snapshot_totals
from feedback.response.services import ResponseNotReady, disposition_set, response_submit
from feedback.response.sms import LocmemSMSBackend
from feedback.response.tasks import notify_response
from feedback.tests.response_fixtures import build_world, publish_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def answer_all(world, *, user=None):
    user = user or world.editor
    health, money = world.themes
    disposition_set(
        user=user,
        theme=health,
        disposition=Disposition.ADOPTED,
        changed_clauses=[world.new_clause],
    )
    disposition_set(
        user=user,
        theme=money,
        disposition=Disposition.NOT_ADOPTED,
        reason="补偿标准由省级文件规定，本方案不作调整。",
    )


# --- dispositions ---------------------------------------------------------------------------


def test_reason_required_unless_adopted(world):
    health = world.themes[0]
    for disposition in (Disposition.PARTLY, Disposition.NOT_ADOPTED, Disposition.OUT_OF_SCOPE):
        with pytest.raises(ValidationError):
            disposition_set(user=world.editor, theme=health, disposition=disposition, reason=" ")
    answer = disposition_set(user=world.editor, theme=health, disposition=Disposition.ADOPTED)
    assert answer.disposition == Disposition.ADOPTED
    entry = AuditEntry.objects.filter(action=AuditAction.DISPOSITION).last()
    assert entry.consultation_id == world.consultation.pk
    assert entry.detail["disposition"] == "adopted"


def test_changed_clauses_must_come_from_a_newer_version(world):
    health = world.themes[0]
    with pytest.raises(ValidationError):
        disposition_set(
            user=world.editor,
            theme=health,
            disposition=Disposition.ADOPTED,
            changed_clauses=[world.old_clause],
        )
    answer = disposition_set(
        user=world.editor,
        theme=health,
        disposition=Disposition.ADOPTED,
        changed_clauses=[world.new_clause],
    )
    assert list(answer.changed_clauses.all()) == [world.new_clause]


def _user(kind, consultation):
    other = Department.objects.create(name="其他局", slug="other-dept")
    return {
        "editor": lambda: UserFactory.with_role(Role.EDITOR, department=consultation.department),
        "approver": lambda: UserFactory.with_role(
            Role.APPROVER, department=consultation.department
        ),
        "site_admin": lambda: UserFactory.with_role(Role.SITE_ADMIN),
        "editor_other_dept": lambda: UserFactory.with_role(Role.EDITOR, department=other),
        "approver_other_dept": lambda: UserFactory.with_role(Role.APPROVER, department=other),
        "analyst": lambda: UserFactory.with_role(Role.ANALYST, department=consultation.department),
        "assessor": lambda: UserFactory.with_role(Role.ASSESSOR),
        "intake": lambda: UserFactory.with_role(Role.INTAKE_CLERK),
        "privacy": lambda: UserFactory.with_role(Role.PRIVACY_OFFICER),
    }[kind]()


ALLOWED = ["editor", "approver", "site_admin"]
REFUSED = ["editor_other_dept", "approver_other_dept", "analyst", "assessor", "intake", "privacy"]


@pytest.mark.parametrize("kind", ALLOWED + REFUSED)
def test_role_matrix_for_dispositions_and_publishing(world, kind):
    user = _user(kind, world.consultation)
    health = world.themes[0]
    if kind in ALLOWED:
        disposition_set(user=user, theme=health, disposition=Disposition.ADOPTED)
        answer_all(world, user=user)
        response = publish_response(world, user=user, summary="说明")
        assert response.published_at is not None and response.submitted_by == user
    else:
        with pytest.raises(PermissionDenied):
            disposition_set(user=user, theme=health, disposition=Disposition.ADOPTED)
        answer_all(world)
        with pytest.raises(PermissionDenied):
            response_submit(user=user, consultation=world.consultation, summary="说明")


# --- the publication check -----------------------------------------------------------------


def test_check_lists_every_blocking_problem(world):
    codes = [p.code for p in selectors.response_check(world.consultation)]
    # Two themes with opinions lack a disposition; the empty theme needs none; all coded.
    assert codes == ["no_disposition", "no_disposition"]
    answer_all(world)
    assert selectors.response_check(world.consultation) == []


def test_hidden_opinions_must_be_coded_too_but_withdrawn_ones_not(world):
    """Issue 12: a withdrawn opinion is only counted as withdrawn; it never blocks publishing
    for want of coding. A hidden one still must be coded."""
    answer_all(world)
    from feedback.models import Coding

    hidden, withdrawn = world.subs[6], world.subs[4]
    assert withdrawn.withdrawn
    Coding.objects.filter(submission__in=[hidden, withdrawn]).delete()
    from django.utils import translation

    with translation.override("en"):
        problems = selectors.response_check(world.consultation)
        message = str(problems[0].message)
    assert [p.code for p in problems] == ["uncoded"]
    assert message.startswith("1 ") and "withdrawn ones are left out" in message
    assert list(selectors.uncoded_opinions(world.consultation)) == [hidden]


def test_a_reasonless_non_adopted_theme_blocks_publishing(world):
    answer_all(world)
    from feedback.models import ThemeResponse

    ThemeResponse.objects.filter(theme=world.themes[1]).update(reason="")
    with pytest.raises(ResponseNotReady) as exc:
        response_submit(user=world.editor, consultation=world.consultation, summary="说明")
    assert [p.code for p in exc.value.problems] == ["no_reason"]
    assert not Submission.objects.filter(status=SubmissionStatus.ANSWERED).exists()


def test_personal_data_in_a_reason_or_summary_blocks_publishing(world):
    answer_all(world)
    disposition_set(
        user=world.editor,
        theme=world.themes[1],
        disposition=Disposition.NOT_ADOPTED,
        reason="朱**提出的意见，电话13800138000，不予采纳。",
    )
    codes = [p.code for p in selectors.response_check(world.consultation)]
    assert codes == ["personal_data"]
    answer_all(world)
    with pytest.raises(ResponseNotReady):
        response_submit(
            user=world.editor, consultation=world.consultation, summary="联系 a@b.cn 了解详情"
        )


# --- publishing ----------------------------------------------------------------------------


def test_publish_stores_counts_moves_stage_marks_answered_and_notifies(
    world, django_capture_on_commit_callbacks, settings
):
    settings.SMS_BACKEND = "feedback.response.sms.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    answer_all(world)
    expected = response_totals(world.consultation)
    with django_capture_on_commit_callbacks(execute=True):
        response = publish_response(
            world,
            summary="感谢参与。",
            draft_from=world.v1,
            draft_to=world.v2,
        )
    response.refresh_from_db()
    assert {k: v for k, v in response.counts.items() if k != "computed_at"} == {
        k: v for k, v in expected.items() if k != "computed_at"
    }
    c = Consultation.objects.get(pk=world.consultation.pk)
    assert c.stage == Consultation.Stage.RESPONSE_PUBLISHED
    assert ChangeLogEntry.objects.filter(consultation=c, type=ChangeLogEntry.Type.STAGE).exists()
    assert set(Submission.objects.filter(consultation=c).values_list("status", flat=True)) == {
        SubmissionStatus.ANSWERED
    }
    assert AuditEntry.objects.filter(action=AuditAction.PUBLISH, consultation_id=c.pk).count() == 1
    assert (
        AuditEntry.objects.filter(action=AuditAction.RESPONSE_SUBMIT, consultation_id=c.pk).count()
        == 1
    )
    assert (
        AuditEntry.objects.filter(action=AuditAction.RESPONSE_APPROVE, consultation_id=c.pk).count()
        == 1
    )
    # Notifications: two e-mails and one SMS, one row each, each read logged.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "resident1@example.org",
        "resident6@example.org",
    ]
    assert len(LocmemSMSBackend.outbox) == 1 and LocmemSMSBackend.outbox[0][0] == "13800138000"
    assert Notification.objects.filter(status=Notification.Status.SENT).count() == 3
    assert (
        ContactAccessLog.objects.filter(context=ContactAccessLog.Context.REPLY_SENDER).count() == 3
    )
    body = mail.outbox[0].body
    link = f"/consultations/{c.slug}/response/"
    assert link in body and link in LocmemSMSBackend.outbox[0][1]
    assert "/receipt/" not in body and "建议" not in body  # no receipt link, no opinion text
    for sub in world.subs:
        assert sub.receipt not in body and sub.formatted_receipt not in body
    # The PDF was rendered and cached in both languages after the commit (no resident waits).
    from django.core.cache import cache

    from feedback.response.views import pdf_cache_key

    for language in ("zh-hans", "en"):
        assert cache.get(pdf_cache_key(response, language)).startswith(b"%PDF"), language
    # Running the job again sends nothing twice.
    assert notify_response.call(c.pk) == 0
    assert len(mail.outbox) == 2 and Notification.objects.count() == 3
    # Dispositions are final and a second publication is refused.
    with pytest.raises(ValidationError):
        disposition_set(
            user=world.editor, theme=world.themes[0], disposition=Disposition.PARTLY, reason="x"
        )
    with pytest.raises(ResponseNotReady):
        response_submit(user=world.editor, consultation=c, summary="again")


def test_publish_is_refused_before_the_close(world):
    answer_all(world)
    Consultation.objects.filter(pk=world.consultation.pk).update(
        closes_at=timezone.now() + timedelta(days=2)
    )
    world.consultation.refresh_from_db()
    with pytest.raises(ValidationError):
        response_submit(user=world.editor, consultation=world.consultation, summary="说明")
    assert not Submission.objects.filter(status=SubmissionStatus.ANSWERED).exists()


# --- counts reconcile with the register ----------------------------------------------------


SHARED = (
    "received",
    "withdrawn",
    "active",
    "by_channel",
    "by_stance",
    "distinct_texts",
    "campaign_groups",
    "in_campaign_groups",
)


def test_response_totals_reconcile(world):
    answer_all(world)
    totals = response_totals(world.consultation)
    # The shared figures are the analysts' canonical ones, unchanged.
    canonical = aggregates.register_totals(world.consultation)
    assert {key: totals[key] for key in SHARED} == canonical
    assert totals["received"] == Submission.objects.filter(consultation=world.consultation).count()
    assert sum(row["received"] for row in totals["by_channel"]) == totals["received"] == 7
    assert sum(row["withdrawn"] for row in totals["by_channel"]) == totals["withdrawn"] == 1
    assert totals["active"] == 6 == sum(totals["by_stance"].values())
    assert totals["distinct_texts"] == 4
    assert totals["no_theme"] == 1 and totals["uncoded"] == 0
    # Withdrawn opinions are counted only as withdrawn, never coded (issue 12).
    assert totals["coded"] + totals["no_theme"] == totals["active"]
    assert totals["campaign_groups"] == 1 and totals["in_campaign_groups"] == 2
    # health (adopted): 4 opinions; money (not adopted): 3, one of them also in health.
    assert totals["by_disposition"]["adopted"] == 4
    # (the withdrawn opinion coded under money is left out: counted only as withdrawn)
    assert totals["by_disposition"]["not_adopted"] == 2
    assert totals["by_theme"] == {str(world.themes[0].pk): 4, str(world.themes[1].pk): 2}
    assert totals["version"] == 2
    # The stored snapshot reads back as it was (labels re-translated, nothing else changed).
    assert snapshot_totals(totals) == totals


def test_old_snapshots_are_converted_on_read():
    old = {
        "total": 10,
        "by_channel": {"web": 8, "phone": 2},
        "withdrawn": 1,
        "coded": 9,
        "no_theme": 1,
        "uncoded": 0,
        "themes": 2,
        "by_theme": {"3": 9},
        "by_disposition": {"adopted": 9},
        "campaign_groups": 2,
        "campaign_opinions": 5,
        "computed_at": "2026-11-30T10:00:00+08:00",
    }
    read = snapshot_totals(old)
    assert (read["received"], read["withdrawn"], read["active"]) == (10, 1, 9)
    assert [(r["channel"], r["received"], r["withdrawn"]) for r in read["by_channel"]] == [
        ("web", 8, None),
        ("phone", 2, None),
    ]
    assert (read["campaign_groups"], read["in_campaign_groups"]) == (2, 5)
    assert read["distinct_texts"] is None and read["by_stance"] is None
    assert aggregates.campaign_summary(read) is None  # M unknown: the sentence is left out
    assert read["by_disposition"] == {"adopted": 9} and read["no_theme"] == 1


# --- overdue (R21) -------------------------------------------------------------------------


def test_response_overdue_after_20_working_days(world):
    c = world.consultation
    assert selectors.response_overdue(c, timezone.now()) is False  # no decision yet
    decided = timezone.make_aware(timezone.datetime(2025, 9, 22, 10, 0))  # a Monday
    Consultation.objects.filter(pk=c.pk).update(decided_at=decided)
    c.refresh_from_db()
    due = selectors.response_due_date(c)
    # 20 working days after 2025-09-22 (chinesecalendar): Sunday 09-28 and Saturday 10-11 are
    # make-up working days, the National Day holiday 10-01..10-08 is skipped.
    assert due.isoformat() == "2025-10-24"
    at = lambda day: timezone.make_aware(timezone.datetime(*day, 12, 0))  # noqa: E731
    assert selectors.response_overdue(c, at((2025, 10, 24))) is False
    assert selectors.response_overdue(c, at((2025, 10, 25))) is True


def test_status_include_shows_the_flag_or_the_link(world, rf):
    from django.template.loader import render_to_string

    c = world.consultation
    Consultation.objects.filter(pk=c.pk).update(decided_at=timezone.now() - timedelta(days=60))
    c.refresh_from_db()
    html = render_to_string("feedback/response/_status.html", {"consultation": c})
    assert "tj-response-overdue" in html
    # The due date in words, as every date residents read (issue 15), never ISO.
    from django.utils import translation

    with translation.override("zh-hans"):
        zh = render_to_string("feedback/response/_status.html", {"consultation": c})
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", zh) and not re.search(r"\d{4}-\d\d-\d\d", zh)
    answer_all(world)
    publish_response(world, consultation=c, summary="说明")
    html = render_to_string(
        "feedback/response/_status.html", {"consultation": c, "consultation_url": "/c/x/"}
    )
    assert "tj-response-overdue" not in html
    assert re.search(r'href="/c/x/response/"', html)
