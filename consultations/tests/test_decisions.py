"""The decision chain and the decision (issue 15 and 16, R22): which steps block a decision, how
steps and the decision are recorded, what residents see, and that 反馈逾期 follows the decision."""

# Size: one module on purpose: the decision chain's services, its staff forms and the public
# page share the fixtures and the scenario (a closed consultation, its steps, its decision).

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from consultations.decisions import (
    CHAIN_RULES,
    REQUIRED,
    decision_blockers,
    decision_chain,
    decision_record,
    decision_step_record,
)
from consultations.models import (
    ChangeLogEntry,
    Decision,
    DecisionStep,
    Kind,
    StabilityStatus,
    Stage,
    Step,
    StepStatus,
)
from consultations.periods import close_display_date, local_date
from consultations.roles import Role
from consultations.rules import ConsultationRuleError
from consultations.tests.admin_support import NOW, make_consultation, make_user
from consultations.tests.factories import DepartmentFactory, published_consultation
from consultations.tests.two_person import refused, staff_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

TODAY = local_date(NOW)


def _audit():
    # Read through the app registry: consultations never imports feedback (ADR 0009).
    return apps.get_model("feedback", "AuditEntry").objects


DECISION = {"body": "示例市人民政府", "summary": "决定实施本方案，采纳了关于噪声的意见。"}


@pytest.fixture
def approver(department):
    return make_user(Role.APPROVER, department)


def _codes(error) -> list[str]:
    return [v.code for v in error.value.violations]


def _complete_major_steps(consultation, user=None):
    decision_step_record(
        consultation, Step.LEGALITY_REVIEW, status=StepStatus.DONE, date=TODAY, user=user
    )
    decision_step_record(
        consultation,
        Step.EXPERT_REVIEW,
        status=StepStatus.NOT_REQUIRED,
        summary="本事项专业性不强，未组织专家论证。",
        user=user,
    )


def test_every_kind_lists_every_step_and_needs_the_consultation():
    for kind in Kind.values:
        rules = {r.step: r for r in CHAIN_RULES[kind]}
        assert list(rules) == Step.values, kind
        assert rules[Step.CONSULTATION].need == REQUIRED, kind
    land = {r.step: r for r in CHAIN_RULES[Kind.LAND_COMPENSATION]}
    assert land[Step.STABILITY].need == REQUIRED  # 土地管理法 Art. 47
    assert "第四十七条第三款" in str(land[Step.HEARING].source)


def test_missing_mandatory_steps_block_the_decision_and_nothing_changes(department, approver):
    consultation = make_consultation("closed", department, kind=Kind.MAJOR_DECISION)

    with pytest.raises(ConsultationRuleError) as error:
        decision_record(consultation, decided_on=TODAY, user=approver, **DECISION)

    assert _codes(error) == ["expert_review_undecided", "legality_review_missing"]
    messages = " ".join(str(v.message) for v in error.value.violations)
    assert "Art. 25" in messages or "第二十五条" in messages or "25" in messages
    consultation.refresh_from_db()
    assert (consultation.stage, consultation.decided_at) == (Stage.CONSULTING, None)
    assert not Decision.objects.exists()
    assert not consultation.change_log.filter(type=ChangeLogEntry.Type.DECISION).exists()


def test_a_recorded_decision_sets_the_stage_the_date_the_log_and_the_audit(department, approver):
    consultation = make_consultation("closed", department, kind=Kind.MAJOR_DECISION)
    _complete_major_steps(consultation, approver)
    assert decision_blockers(consultation) == []
    day = TODAY - timedelta(days=3)

    decision = decision_record(consultation, decided_on=day, user=approver, **DECISION)

    consultation.refresh_from_db()
    assert consultation.stage == Stage.DECIDED
    assert local_date(consultation.decided_at) == day
    assert consultation.status == Stage.DECIDED
    entry = consultation.change_log.filter(type=ChangeLogEntry.Type.DECISION).get()
    assert "示例市人民政府" in entry.summary
    audit = _audit().filter(consultation_id=consultation.pk, action="decision")
    assert audit.filter(object_id=str(decision.pk), detail__body="示例市人民政府").exists()
    # The revisions agree, so the editor never writes the stage back.
    assert consultation.latest_revision.as_object().stage == Stage.DECIDED


def test_decision_before_the_close_or_with_a_bad_date_is_refused(department, approver):
    open_one = make_consultation("open", department, kind=Kind.OTHER)
    with pytest.raises(ConsultationRuleError) as error:
        decision_record(open_one, decided_on=TODAY, user=approver, **DECISION)
    assert _codes(error) == ["consultation_not_closed"]

    closed = make_consultation("closed", department, kind=Kind.OTHER)
    last_day = close_display_date(closed.closes_at)
    for day, code in (
        (TODAY + timedelta(days=1), "date_in_future"),
        (last_day, "date_before_close"),
    ):
        with pytest.raises(ConsultationRuleError) as error:
            decision_record(closed, decided_on=day, user=approver, **DECISION)
        assert code in _codes(error)
    with pytest.raises(ConsultationRuleError) as error:
        decision_record(closed, decided_on=TODAY, user=approver, body=" ", summary="")
    assert {"body_required", "summary_required"} <= set(_codes(error))
    assert not Decision.objects.exists()


def test_correcting_a_decision_needs_a_reason(department, approver):
    consultation = make_consultation("closed", department, kind=Kind.OTHER)
    decision_record(consultation, decided_on=TODAY, user=approver, **DECISION)
    with pytest.raises(ConsultationRuleError) as error:
        decision_record(consultation, decided_on=TODAY, user=approver, **DECISION)
    assert _codes(error) == ["correction_reason_required"]

    decision_record(
        consultation,
        decided_on=TODAY - timedelta(days=1),
        user=approver,
        correction_reason="日期录入有误。",
        **DECISION,
    )
    consultation.refresh_from_db()
    assert local_date(consultation.decided_at) == TODAY - timedelta(days=1)
    assert consultation.change_log.filter(type=ChangeLogEntry.Type.DECISION).count() == 2


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"status": StepStatus.DONE}, "date_required"),
        ({"status": StepStatus.DONE, "date": TODAY + timedelta(days=1)}, "date_in_future"),
        ({"status": StepStatus.WITHHELD, "date": TODAY}, "withheld_ground_required"),
        ({"status": StepStatus.NOT_REQUIRED}, "reason_required"),
        ({"status": "finished", "date": TODAY}, "bad_status"),
    ],
)
def test_a_bad_step_is_refused_and_nothing_is_written(department, kwargs, code):
    consultation = make_consultation("closed", department, kind=Kind.MAJOR_DECISION)
    with pytest.raises(ConsultationRuleError) as error:
        decision_step_record(consultation, Step.EXPERT_REVIEW, **kwargs)
    assert _codes(error) == [code]
    assert not DecisionStep.objects.exists()
    assert not consultation.change_log.filter(type=ChangeLogEntry.Type.DECISION_STEP).exists()


def test_only_the_recordable_steps_are_recorded(department):
    consultation = make_consultation("closed", department)
    for step in (Step.CONSULTATION, Step.COLLECTIVE_DECISION, Step.PUBLICATION, "vote"):
        with pytest.raises(ConsultationRuleError):
            decision_step_record(consultation, step, status=StepStatus.DONE, date=TODAY)


def test_recording_the_same_step_twice_logs_once(department):
    consultation = make_consultation("closed", department, kind=Kind.MAJOR_DECISION)
    for _ in range(2):
        decision_step_record(consultation, Step.LEGALITY_REVIEW, status=StepStatus.DONE, date=TODAY)
    assert consultation.change_log.filter(type=ChangeLogEntry.Type.DECISION_STEP).count() == 1
    assert (
        _audit()
        .filter(consultation_id=consultation.pk, detail__decision_step="legality_review")
        .count()
        == 1
    )


def test_a_majority_triggered_hearing_becomes_mandatory_until_held(department, approver):
    """How helper H's majority count uses the service: required=True, status untouched."""
    consultation = make_consultation("closed", department, kind=Kind.LAND_COMPENSATION)
    decision_step_record(
        consultation,
        Step.HEARING,
        status=StepStatus.NOT_REQUIRED,
        summary="多数成员未提出异议。",
    )
    assert decision_blockers(consultation) == []

    decision_step_record(consultation, Step.HEARING, required=True)  # a majority objected
    assert [b.code for b in decision_blockers(consultation)] == ["hearing_missing"]
    with pytest.raises(ConsultationRuleError) as error:
        decision_step_record(consultation, Step.HEARING, status=StepStatus.NOT_REQUIRED)
    assert _codes(error) == ["step_mandatory"]

    decision_step_record(
        consultation,
        Step.HEARING,
        status=StepStatus.DONE,
        date=TODAY,
        url="/consultations/x/hearing/",
        summary="听证报告已公布。",
    )
    assert decision_blockers(consultation) == []
    hearing = next(s for s in decision_chain(consultation) if s.step == Step.HEARING)
    assert (hearing.status, hearing.need, hearing.url) == (
        StepStatus.DONE,
        REQUIRED,
        "/consultations/x/hearing/",
    )


def test_a_withheld_step_shows_its_ground_and_hides_its_content(department):
    consultation = make_consultation(
        "closed",
        department,
        kind=Kind.HOUSING_EXPROPRIATION,
        stability_status=StabilityStatus.WITHHELD,
        stability_withheld_ground="《政府信息公开条例》第十四条",
    )
    stability = next(s for s in decision_chain(consultation) if s.step == Step.STABILITY)
    assert stability.status == StepStatus.WITHHELD
    assert stability.withheld_ground == "《政府信息公开条例》第十四条"
    assert stability.blocker is None  # done, not disclosed: not missing

    decision_step_record(
        consultation,
        Step.LEGALITY_REVIEW,
        status=StepStatus.WITHHELD,
        date=TODAY,
        summary="内部审查意见全文",
        url="/internal/",
        withheld_ground="《政府信息公开条例》第十六条",
    )
    legality = next(s for s in decision_chain(consultation) if s.step == Step.LEGALITY_REVIEW)
    assert (legality.url, legality.document) == ("", None)


# --- The admin screens ---------------------------------------------------------------------


def _decision_url(consultation):
    return reverse("consultations_admin:decision", args=[consultation.pk])


def _step_url(consultation, step):
    return reverse("consultations_admin:decision_step", args=[consultation.pk, step])


def _decision_post(day: date) -> dict:
    return {"decided_on": day.isoformat(), **DECISION, "body_en": "", "summary_en": ""}


def test_the_decision_form_lists_the_blockers_and_refuses(department, approver):
    consultation = make_consultation("closed", department, kind=Kind.MAJOR_DECISION)
    client = staff_client(approver)

    page = client.get(_decision_url(consultation))
    assert page.status_code == 200
    assert 'id="decision-blockers"' in page.content.decode()
    response = client.post(_decision_url(consultation), _decision_post(TODAY))

    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "合法性审查" in errors and "专家论证" in errors
    assert not Decision.objects.exists()


def test_staff_record_steps_and_the_approver_records_the_decision(department, approver):
    consultation = make_consultation("closed", department, kind=Kind.MAJOR_DECISION)
    editor = make_user(Role.EDITOR, department)
    editor_client = staff_client(editor)
    assert (
        editor_client.get(
            reverse("consultations_admin:decision_chain", args=[consultation.pk])
        ).status_code
        == 200
    )
    response = editor_client.post(
        _step_url(consultation, Step.LEGALITY_REVIEW),
        {"status": StepStatus.DONE, "date": TODAY.isoformat()},
    )
    assert response.status_code == 302
    response = editor_client.post(
        _step_url(consultation, Step.EXPERT_REVIEW),
        {"status": StepStatus.NOT_REQUIRED, "summary": "不涉及专业技术问题。"},
    )
    assert response.status_code == 302
    # An editor does not record the decision.
    assert refused(editor_client.post(_decision_url(consultation), _decision_post(TODAY)))
    assert not Decision.objects.exists()

    response = staff_client(approver).post(_decision_url(consultation), _decision_post(TODAY))

    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.stage == Stage.DECIDED


def test_other_departments_cannot_see_or_record(department):
    consultation = make_consultation("closed", department, kind=Kind.OTHER)
    outsider = staff_client(make_user(Role.APPROVER, DepartmentFactory()))
    for url in (
        reverse("consultations_admin:decision_chain", args=[consultation.pk]),
        _step_url(consultation, Step.HEARING),
        _decision_url(consultation),
    ):
        assert refused(outsider.get(url))
    assert refused(outsider.post(_decision_url(consultation), _decision_post(TODAY)))
    assert refused(
        outsider.post(
            _step_url(consultation, Step.HEARING),
            {"status": StepStatus.DONE, "date": TODAY.isoformat()},
        )
    )
    assert not Decision.objects.exists() and not DecisionStep.objects.exists()


def test_the_step_form_shows_the_services_reason(department, approver):
    consultation = make_consultation("closed", department, kind=Kind.OTHER)
    response = staff_client(approver).post(
        _step_url(consultation, Step.HEARING), {"status": StepStatus.WITHHELD, "date": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert not DecisionStep.objects.exists()


# --- The public page -------------------------------------------------------------------------


def _public(client, consultation_index, consultation, language="zh-hans"):
    client.cookies["django_language"] = language
    response = client.get(consultation_index.consultation_url(consultation))
    assert response.status_code == 200
    return response.content.decode()


def test_the_public_page_shows_the_decision_and_the_chain(
    client, consultation_index, department, approver
):
    consultation = make_consultation("closed", department, kind=Kind.MAJOR_DECISION)
    _complete_major_steps(consultation, approver)
    decision_step_record(
        consultation,
        Step.HEARING,
        status=StepStatus.WITHHELD,
        date=TODAY,
        withheld_ground="涉及国家秘密（《政府信息公开条例》第十四条）",
    )
    decision_record(
        consultation, decided_on=TODAY, user=approver, meeting="市政府第12次常务会议", **DECISION
    )

    html = _public(client, consultation_index, consultation)

    assert 'id="decision-chain-title"' in html
    for text in (
        "示例市人民政府",
        "市政府第12次常务会议",
        "采纳了关于噪声的意见",
        "合法性审查",
        "本事项专业性不强",  # why the expert review was not required
        "依法不予公开",
        "《政府信息公开条例》第十四条",
    ):
        assert text in html, text
    english = _public(client, consultation_index, consultation, "en")
    assert "From opinions to the decision" in english
    assert "legality review" in english


def test_the_response_becomes_overdue_20_working_days_after_the_decision(
    client, consultation_index, department, approver
):
    long_ago = NOW - timedelta(days=130)
    with time_machine.travel(long_ago, tick=False):
        consultation = published_consultation(
            department=department, opens_at=long_ago, kind=Kind.OTHER
        )
    recent = make_consultation("closed", department, kind=Kind.OTHER)
    # Closed 85 days before NOW; decided 60 days ago: more than 20 working days have passed.
    decision_record(consultation, decided_on=TODAY - timedelta(days=60), user=approver, **DECISION)
    decision_record(recent, decided_on=TODAY - timedelta(days=2), user=approver, **DECISION)

    assert "反馈逾期" in _public(client, consultation_index, consultation) or (
        "tj-response-overdue" in _public(client, consultation_index, consultation)
    )
    recent_html = _public(client, consultation_index, recent)
    assert "tj-response-overdue" not in recent_html
    assert "tj-response-status" in recent_html  # the due date is shown instead
    assert timezone.now() > consultation.closes_at


def test_documents_of_the_decision_are_public_and_a_withheld_steps_is_not(department, approver):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model

    from consultations.documents import document_is_public

    def document(name):
        doc = get_document_model()(title=name)
        doc.file = ContentFile(b"text", name=f"{name}.txt")
        doc.save()
        return doc

    consultation = make_consultation("closed", department, kind=Kind.OTHER)
    secret, decided = document("secret"), document("decided")
    decision_step_record(
        consultation,
        Step.LEGALITY_REVIEW,
        status=StepStatus.WITHHELD,
        date=TODAY,
        document=secret,
        withheld_ground="《政府信息公开条例》第十六条",
    )
    assert not document_is_public(secret)
    assert not document_is_public(decided)
    decision_record(consultation, decided_on=TODAY, user=approver, document=decided, **DECISION)
    assert document_is_public(decided)
    assert not document_is_public(secret)


def test_the_step_form_cannot_take_back_a_mandatory_hearing(department, approver):
    consultation = make_consultation("closed", department, kind=Kind.LAND_COMPENSATION)
    decision_step_record(consultation, Step.HEARING, required=True)  # the majority count

    response = staff_client(approver).post(
        _step_url(consultation, Step.HEARING),
        {"status": StepStatus.NOT_STARTED, "summary": "", "required": ""},
    )

    assert response.status_code == 302
    assert DecisionStep.objects.get(consultation=consultation, step=Step.HEARING).required
    assert [b.code for b in decision_blockers(consultation)] == ["hearing_missing"]
