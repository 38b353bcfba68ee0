"""The assessor's level counts once a second person confirms it, and every record is kept in a
history with who, when, the level before and after and the reasons (issue 13)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from consultations.models import ChangeLogEntry, Consultation, Department
from consultations.roles import Role
from consultations.tests.factories import UserFactory
from consultations.tests.two_person import refused, staff_client
from feedback.models import AuditAction, AuditEntry, RiskAssessment, RiskAssessmentChange
from feedback.risk.services import (
    MeasureData,
    risk_assessment_confirm,
    risk_assessment_record,
    risk_assessment_return,
)
from feedback.tests.response_fixtures import build_world

pytestmark = pytest.mark.django_db

REASONS = "居民对排放与健康的意见集中，反对意见较多。"


@pytest.fixture
def world(consultation_index):
    return build_world()


@pytest.fixture
def people(world):
    department = world.consultation.department
    return {
        "assessor": UserFactory.with_role(Role.ASSESSOR),
        "assessor2": UserFactory.with_role(Role.ASSESSOR),
        "admin": UserFactory.with_role(Role.SITE_ADMIN),
        "approver": UserFactory.with_role(Role.APPROVER, department=department),
        "editor": UserFactory.with_role(Role.EDITOR, department=department),
        "outsider": UserFactory.with_role(
            Role.APPROVER, department=Department.objects.create(name="别局", slug="elsewhere-x")
        ),
    }


def _record(world, user, level, *, disclose=False, reasons=REASONS):
    return risk_assessment_record(
        user=user,
        consultation=world.consultation,
        level=level,
        reasons=reasons,
        disclose=disclose,
        measures=[MeasureData(concern="排放", measure="在线监测并每月公开", theme=world.themes[0])],
    )


def _final(world) -> RiskAssessment:
    return RiskAssessment.objects.get(consultation=world.consultation)


def test_a_recorded_level_counts_only_after_a_second_person_confirms(world, people):
    change = _record(world, people["assessor"], "high", disclose=True)
    assert _final(world).level == "" and not _final(world).disclose
    assert Consultation.objects.get(pk=world.consultation.pk).stability_level == ""
    [entry] = AuditEntry.objects.filter(action=AuditAction.RISK)
    assert entry.detail["level"] == "high" and entry.detail["reasons"] == REASONS
    assert entry.detail["status"] == "pending" and entry.actor == people["assessor"]
    # The author cannot confirm or send back their own record (service and direct POST).
    with pytest.raises(PermissionDenied):
        risk_assessment_confirm(user=people["assessor"], change=change)
    with pytest.raises(PermissionDenied):
        risk_assessment_return(
            user=people["assessor"], change=change, comment="理由需要更充分的依据。"
        )
    url = reverse("feedback_risk:decide", args=[world.consultation.pk])
    assert refused(
        staff_client(people["assessor"]).post(url, {"change": change.pk, "decision": "confirm"})
    )
    # Approvers and editors of the department cannot confirm either.
    for who in ("approver", "editor"):
        with pytest.raises(PermissionDenied):
            risk_assessment_confirm(user=people[who], change=change)
        assert refused(
            staff_client(people[who]).post(url, {"change": change.pk, "decision": "confirm"})
        )
    assert _final(world).level == ""
    # The database refuses a confirmation by the author.
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskAssessmentChange.objects.filter(pk=change.pk).update(
            status="confirmed", decided_by=people["assessor"], decided_at=change.recorded_at
        )
    # A second assessor confirms: now it counts and is disclosed, with a public change-log line.
    assert (
        staff_client(people["assessor2"])
        .post(url, {"change": change.pk, "decision": "confirm"})
        .status_code
        == 302
    )
    final = _final(world)
    assert final.level == "high" and final.confirmed_by == people["assessor2"]
    assert final.recorded_by == people["assessor"] and final.measures.count() == 1
    assert Consultation.objects.get(pk=world.consultation.pk).stability_level == "high"
    log = ChangeLogEntry.objects.get(
        consultation=world.consultation, type=ChangeLogEntry.Type.STABILITY
    )
    assert "高风险" in log.summary and "high risk" in log.summary_en
    [confirm] = AuditEntry.objects.filter(action=AuditAction.RISK_CONFIRM)
    assert (
        confirm.actor == people["assessor2"]
        and confirm.detail["recorded_by"] == people["assessor"].pk
    )


def test_sent_back_with_a_comment_it_never_counts(world, people):
    change = _record(world, people["assessor"], "low")
    with pytest.raises(ValidationError):
        risk_assessment_return(user=people["admin"], change=change, comment="")
    risk_assessment_return(
        user=people["admin"], change=change, comment="低风险的理由与数据不符，请复核。"
    )
    change.refresh_from_db()
    assert change.status == "returned" and change.decided_by == people["admin"]
    assert _final(world).level == ""
    with pytest.raises(ValidationError):
        risk_assessment_confirm(user=people["assessor2"], change=change)
    assert _final(world).level == ""
    [entry] = AuditEntry.objects.filter(action=AuditAction.RISK_RETURN)
    assert entry.actor == people["admin"] and "复核" in entry.detail["comment"]


def test_the_history_shows_every_change_with_who_when_old_and_new_level_and_reasons(world, people):
    first = _record(world, people["assessor"], "medium", reasons="第一次评估的理由，意见较为集中。")
    risk_assessment_confirm(user=people["admin"], change=first)
    replaced = _record(world, people["assessor"], "high", reasons="被替换的记录。")
    second = _record(world, people["assessor"], "high", reasons="第二次评估：反对意见明显增加。")
    replaced.refresh_from_db()
    assert replaced.status == "superseded"
    risk_assessment_confirm(user=people["assessor2"], change=second)
    third = _record(world, people["assessor2"], "low", reasons="第三次：措施落实后风险下降。")
    risk_assessment_return(
        user=people["assessor"], change=third, comment="措施尚未落实，请补充证据。"
    )

    changes = list(
        RiskAssessmentChange.objects.filter(assessment__consultation=world.consultation).order_by(
            "pk"
        )
    )
    assert [(c.previous_level, c.level, c.status) for c in changes] == [
        ("", "medium", "confirmed"),
        ("medium", "high", "superseded"),
        ("medium", "high", "confirmed"),
        ("high", "low", "returned"),
    ]
    assert AuditEntry.objects.filter(action=AuditAction.RISK).count() == 4
    url = reverse("feedback_risk:history", args=[world.consultation.pk])
    for who in ("assessor", "assessor2", "admin", "approver"):
        html = staff_client(people[who]).get(url).content.decode()
        for c in changes:
            assert f'data-change="{c.pk}" data-status="{c.status}"' in html, who
            assert c.reasons in html
        assert "措施尚未落实" in html and people["assessor"].get_username() in html
    # Editors, other departments' approvers and the public do not see the history.
    for who in ("editor", "outsider"):
        assert refused(staff_client(people[who]).get(url)), who
    assert Client().get(url).status_code == 302


def test_the_dashboard_shows_the_pending_record_and_who_may_confirm(world, people):
    _record(world, people["assessor"], "medium")
    url = reverse("feedback_risk:dashboard", args=[world.consultation.pk])
    own = staff_client(people["assessor"]).get(url).content.decode()
    assert 'id="pending-assessment"' in own and 'value="confirm"' not in own
    other = staff_client(people["assessor2"]).get(url).content.decode()
    assert 'value="confirm"' in other
