"""R1, R4, R6, R7, R10–R12, R36: what each kind needs before it may open, and its period."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from consultations.checks import check_period_overrides
from consultations.models import ChangeLogEntry, Consultation, Kind, StabilityStatus
from consultations.roles import Role
from consultations.rules import ConsultationRuleError
from consultations.services import consultation_check_openable
from consultations.tests.factories import (
    ConsultationFactory,
    UserFactory,
    make_openable,
)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
OPENS = datetime(2025, 3, 3, 10, tzinfo=SH)  # Monday; 30 days later is Wednesday 04-02


@pytest.fixture(autouse=True)
def _clock(time_machine):
    time_machine.move_to(datetime(2025, 3, 1, 9, tzinfo=SH), tick=False)


def openable(kind=Kind.MAJOR_DECISION, **fields):
    c = ConsultationFactory(kind=kind)
    make_openable(c, opens_at=OPENS)
    for name, value in fields.items():
        setattr(c, name, value)
    c.save()
    return c


def codes(c):
    return {v.code for v in consultation_check_openable(c)}


def publish(c, user=None):
    c.save_revision(user=user).publish(user=user)


def test_every_kind_is_openable_when_complete():
    for kind in Kind.values:
        assert consultation_check_openable(openable(kind)) == [], kind


# R1 ---------------------------------------------------------------------------------------
def test_consultation_without_kind_fails_validation():
    c = openable(kind="")
    assert "kind_required" in codes(c)
    with pytest.raises(ValidationError) as err:
        c.full_clean()
    assert "kind" in err.value.message_dict


# R4 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("explanatory_note", "  ", "explanatory_note_required"),
        ("contact_phone", "", "contact_phone_required"),
        ("opens_at", None, "opens_at_required"),
        ("closes_at", None, "closes_at_required"),
    ],
)
def test_missing_required_part_is_rejected(field, value, code):
    assert code in codes(openable(**{field: value}))


def test_missing_draft_is_rejected():
    c = openable()
    c.draft_clauses.all().delete()
    assert "draft_required" in codes(c)


def test_missing_both_addresses_is_rejected_and_one_is_enough():
    assert "address_required" in codes(openable(postal_address="", visit_address=""))
    assert codes(openable(postal_address="", visit_address="来访地址")) == set()


def test_publishing_without_explanatory_note_is_rejected_and_nothing_goes_live():
    c = openable(explanatory_note="")
    with pytest.raises(ConsultationRuleError) as err:
        publish(c)
    assert "explanatory_note" in err.value.message_dict
    c.refresh_from_db()
    assert not c.live
    assert not ChangeLogEntry.objects.filter(consultation=c).exists()
    assert not c.draft_versions.exists()


def test_rule_error_lists_every_problem_by_field_in_full_sentences():
    c = openable(explanatory_note="", contact_phone="", plain_summary="")
    with translation.override("en"):
        with pytest.raises(ConsultationRuleError) as err:
            publish(c)
        messages = err.value.message_dict
    assert set(messages) >= {"explanatory_note", "contact_phone", "plain_summary"}
    for texts in messages.values():
        for text in texts:
            assert text[0].isupper() and text.rstrip().endswith("."), text


# R6 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kind",
    [Kind.MAJOR_DECISION, Kind.HOUSING_EXPROPRIATION, Kind.LAND_PRE_NOTICE, Kind.LAND_COMPENSATION],
)
def test_kinds_needing_a_plain_summary_cannot_open_without_it(kind):
    assert "plain_summary_required" in codes(openable(kind, plain_summary=""))


def test_draft_rules_do_not_need_a_plain_summary():
    assert codes(openable(Kind.DRAFT_RULES, plain_summary="")) == set()


# R7 ---------------------------------------------------------------------------------------
LAND_CASES = (
    [
        (Kind.LAND_PRE_NOTICE, f)
        for f in ("requisition_scope", "requisition_purpose", "land_survey_arrangement")
    ]
    + [
        (Kind.LAND_COMPENSATION, f)
        for f in (
            "requisition_scope",
            "land_status",
            "requisition_purpose",
            "compensation_standard",
            "resettlement_targets",
            "resettlement_method",
            "social_security",
            "compensation_registration",
            "objection_channel",
        )
    ]
    + [(Kind.HOUSING_EXPROPRIATION, "compensation_standard")]
)


@pytest.mark.parametrize(("kind", "field"), LAND_CASES)
def test_requisition_kind_rejects_publication_without_its_field(kind, field):
    c = openable(kind, **{field: ""})
    with translation.override("en"):
        with pytest.raises(ConsultationRuleError) as err:
            publish(c)
        messages = err.value.message_dict
    assert list(messages) == [field]
    assert "cannot open without stating" in messages[field][0]


# R36 --------------------------------------------------------------------------------------
def test_major_decision_needs_stability_status():
    assert "stability_status_required" in codes(openable(stability_status=""))
    assert codes(openable(Kind.DRAFT_RULES, stability_status="")) == set()


def test_withheld_stability_result_needs_legal_ground():
    c = openable(stability_status=StabilityStatus.WITHHELD)
    assert "stability_withheld_ground_required" in codes(c)
    c.stability_withheld_ground = "《政府信息公开条例》第十六条"
    assert codes(c) == set()


# R10 --------------------------------------------------------------------------------------
THIRTY = datetime(2025, 4, 3, tzinfo=SH)  # 24:00 on 2025-04-02
TWENTY_NINE = datetime(2025, 4, 2, tzinfo=SH)  # 24:00 on 2025-04-01


def test_29_day_major_decision_without_reason_is_rejected():
    c = openable(closes_at=TWENTY_NINE)
    with pytest.raises(ConsultationRuleError) as err:
        publish(c)
    with translation.override("en"):
        (message,) = err.value.message_dict["closes_at"]
    assert "at least 30 days" in message and "Art. 15" in message
    assert "April 2, 2025" in message
    c.refresh_from_db()
    assert not c.live


def test_29_day_major_decision_with_reason_publishes():
    c = openable(closes_at=TWENTY_NINE, shortened_reason="防汛工作紧急，需在汛期前出台。")
    publish(c)
    c.refresh_from_db()
    assert c.live and c.closes_at == TWENTY_NINE
    entry = c.change_log.get(type=ChangeLogEntry.Type.PUBLISHED)
    assert entry.reason == "防汛工作紧急，需在汛期前出台。"


def test_30_day_major_decision_publishes_without_reason():
    c = openable(closes_at=THIRTY)
    publish(c)
    c.refresh_from_db()
    assert c.live


def test_major_decision_period_message_is_translated_to_chinese():
    c = openable(closes_at=TWENTY_NINE)
    with translation.override("zh-hans"):
        (violation,) = consultation_check_openable(c)
        text = str(violation.message)
    assert "不得少于30日" in text, text
    assert violation.field == "closes_at"


# R11 --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [Kind.HOUSING_EXPROPRIATION, Kind.LAND_COMPENSATION])
def test_no_role_can_publish_a_shorter_requisition_period_even_with_reason(kind):
    admin = UserFactory(is_superuser=True, is_staff=True)
    approver = UserFactory.with_role(Role.APPROVER)
    for user in (admin, approver, None):
        c = openable(kind, closes_at=TWENTY_NINE, shortened_reason="时间紧迫。")
        with pytest.raises(ConsultationRuleError):
            publish(c, user=user)
        assert not Consultation.objects.get(pk=c.pk).live


def test_land_pre_notice_needs_10_working_days_even_with_reason():
    # Opens Monday 2025-03-03 (not counted): 10 working days end on Monday 2025-03-17.
    short = openable(
        Kind.LAND_PRE_NOTICE,
        closes_at=datetime(2025, 3, 15, tzinfo=SH),
        shortened_reason="时间紧迫。",
    )
    assert "period_too_short" in codes(short)
    ok = openable(Kind.LAND_PRE_NOTICE, closes_at=datetime(2025, 3, 18, tzinfo=SH))
    assert codes(ok) == set()


# R12 --------------------------------------------------------------------------------------
@override_settings(CONSULTATION_PERIOD_OVERRIDES={"eia": {"days": 5, "unit": "working"}})
def test_override_below_national_floor_is_a_system_check_error():
    errors = check_period_overrides()
    assert [e.id for e in errors] == ["consultations.E001"]
    assert "'eia'" in errors[0].msg


@override_settings(CONSULTATION_PERIOD_OVERRIDES={"eia": {"days": 10, "unit": "calendar"}})
def test_calendar_override_shorter_than_working_floor_is_an_error():
    assert [e.id for e in check_period_overrides()] == ["consultations.E001"]


@override_settings(
    CONSULTATION_PERIOD_OVERRIDES={
        "housing_expropriation": {"days": 29, "unit": "calendar"},
        "normative_document": {"days": 7, "unit": "working"},
        "nonsense": {"days": 40},
    }
)
def test_each_bad_override_is_reported():
    assert len(check_period_overrides()) == 2


@override_settings(CONSULTATION_PERIOD_OVERRIDES={"eia": {"days": 15, "unit": "working"}})
def test_override_above_floor_is_accepted_and_enforced():
    assert check_period_overrides() == []
    # 10 working days from Monday 2025-03-03 end on 03-17; 15 end on 03-24.
    ten = openable(Kind.EIA, closes_at=datetime(2025, 3, 18, tzinfo=SH))
    assert "period_too_short" in codes(ten)
    fifteen = openable(Kind.EIA, closes_at=datetime(2025, 3, 25, tzinfo=SH))
    assert codes(fifteen) == set()


@override_settings(CONSULTATION_PERIOD_OVERRIDES={"other": {"days": 10, "unit": "working"}})
def test_override_of_shortenable_kind_still_allows_a_reasoned_shortening():
    c = openable(Kind.OTHER, closes_at=datetime(2025, 3, 11, tzinfo=SH))
    assert "period_too_short" in codes(c)
    c.shortened_reason = "节前必须完成。"
    assert codes(c) == set()


def test_closing_before_opening_is_rejected():
    c = openable()
    c.closes_at = OPENS
    assert codes(c) == {"closes_before_opening"}


@override_settings(
    CONSULTATION_PERIOD_OVERRIDES={"land_pre_notice": {"days": 9, "unit": "working"}}
)
def test_period_floor_check_runs_with_the_django_system_checks():
    from django.core.checks import run_checks

    assert "consultations.E001" in {e.id for e in run_checks()}
