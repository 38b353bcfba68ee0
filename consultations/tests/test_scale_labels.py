"""Issue 15: what 1 and 5 mean on a scale question are fields of the question.

The editor fills them in the admin (both ends or neither, Chinese before English); the forms
read them first and fall back to the old sources (two option lines, "(1 = …, 5 = …)" in the
text); the migration copies the old words into the fields, in the rows and in the saved
revisions, so an open consultation stays editable. The forms showing them are tested in
cms/tests/test_phone_pages.py.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import translation

from consultations.admin_forms import FROZEN_MESSAGE
from consultations.models import Question
from consultations.tests.admin_support import (
    NOW,
    edit_form_data,
    edit_url,
    make_consultation,
)
from consultations.tests.factories import (
    ConsultationFactory,
    QuestionFactory,
    make_openable,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]

MIGRATION = importlib.import_module("consultations.migrations.0009_issue15_scale_labels")
BOTH = {
    "zh-hans": "请同时填写量表两端（1和5）的说明，或都不填。",
    "en": "Give the words for both ends of the scale (1 and 5), or for neither.",
}
CHINESE_FIRST = {
    "zh-hans": "请先填写两端的中文说明，英文说明是它们的翻译。",
    "en": "Give the Chinese words for the two ends first; the English ones translate them.",
}
ONLY_SCALE = {
    "zh-hans": "只有“1–5 分量表”题才有两端的说明。请清空，或把题型改为“1–5 分量表”。",
    "en": (
        "Only a 1–5 scale question has words for its two ends. Clear them, or choose the "
        "type “scale 1–5”."
    ),
}


def with_new_question(data: dict, **fields) -> dict:
    total = int(data["questions-TOTAL_FORMS"])
    data["questions-TOTAL_FORMS"] = str(total + 1)
    data[f"questions-{total}-ORDER"] = str(total + 1)
    data.update({f"questions-{total}-{name}": value for name, value in fields.items()})
    return data


# --- the admin ---------------------------------------------------------------------------------


def test_the_editor_shows_both_ends_in_both_languages_with_help(approver_client, department):
    consultation = make_consultation("draft", department)
    QuestionFactory(consultation=consultation, type="scale", options="")
    consultation.save_revision()
    page = approver_client.get(edit_url(consultation)).content.decode()
    for name in (
        "scale_low_label",
        "scale_low_label_en",
        "scale_high_label",
        "scale_high_label_en",
    ):
        assert f'name="questions-0-{name}"' in page
    assert "量表1–5：两端的含义" in page
    assert "仅用于量表题" in page  # the group's and the field's help


def test_both_ends_are_saved_and_read_back(approver_client, department):
    consultation = make_consultation("draft", department)
    data = with_new_question(
        edit_form_data(approver_client, consultation),
        type="scale",
        text="您对补偿标准的满意程度？",
        scale_low_label="很不满意",
        scale_high_label="非常满意",
        scale_low_label_en="very unhappy",
        scale_high_label_en="very happy",
    )
    response = approver_client.post(edit_url(consultation), data)
    assert response.status_code == 302, response.context["form"].errors
    consultation.refresh_from_db()
    [question] = consultation.latest_revision.as_object().questions.all()
    with translation.override("zh-hans"):
        assert question.scale_ends() == ("很不满意", "非常满意")
    with translation.override("en"):
        assert question.scale_ends() == ("very unhappy", "very happy")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("fields", "wrong", "messages"),
    [
        ({"scale_low_label": "很不满意"}, "scale_high_label", BOTH),
        ({"scale_high_label": "非常满意"}, "scale_low_label", BOTH),
        (
            {"scale_low_label": "很不满意", "scale_high_label": "非常满意"}
            | {"scale_high_label_en": "very happy"},
            "scale_low_label_en",
            BOTH,
        ),
        (
            {"scale_low_label_en": "very unhappy", "scale_high_label_en": "very happy"},
            "scale_low_label",
            CHINESE_FIRST,
        ),
        (
            {"type": "single", "options": "是\n否"}
            | {"scale_low_label": "很不满意", "scale_high_label": "非常满意"},
            "scale_low_label",
            ONLY_SCALE,
        ),
    ],
)
def test_one_end_without_the_other_is_refused_and_nothing_saved(
    approver_client, department, language, fields, wrong, messages
):
    consultation = make_consultation("draft", department)
    before = consultation.latest_revision_id
    data = with_new_question(
        edit_form_data(approver_client, consultation), type="scale", text="您的满意程度？"
    )
    total = int(data["questions-TOTAL_FORMS"]) - 1
    data.update({f"questions-{total}-{name}": value for name, value in fields.items()})

    response = approver_client.post(edit_url(consultation), data, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    child = response.context["form"].formsets["questions"].forms[total]
    assert [str(m) for m in child.errors[wrong]] == [messages[language]]
    assert messages[language] in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.latest_revision_id == before
    assert not Question.objects.filter(consultation=consultation).exists()


def test_the_model_refuses_half_a_pair_outside_the_admin_too():
    """seed_demo and scripts call ``clean()`` too: the half pair is named first, then the
    missing Chinese words."""
    from django.core.exceptions import ValidationError

    question = Question(type="scale", text="满意度", scale_low_label_en="not at all")
    with pytest.raises(ValidationError) as refused:
        question.clean()
    assert refused.value.message_dict == {"scale_high_label_en": [BOTH["zh-hans"]]}
    question.scale_high_label_en = "fully"
    with pytest.raises(ValidationError) as refused:
        question.clean()
    assert refused.value.message_dict == {"scale_low_label": [CHINESE_FIRST["zh-hans"]]}
    question.scale_low_label, question.scale_high_label = "很不充分", "非常充分"
    question.clean()


# --- reading the words ---------------------------------------------------------------------------


def test_the_fields_win_over_the_old_sources_in_both_languages():
    question = Question(
        type="scale",
        text="满意度（1＝差，5＝好）",
        text_en="Satisfaction (1 = bad, 5 = good)",
        options="甲\n乙",
        scale_low_label="很不满意",
        scale_high_label="非常满意",
        scale_low_label_en="very unhappy",
        scale_high_label_en="very happy",
    )
    with translation.override("zh-hans"):
        assert question.scale_ends() == ("很不满意", "非常满意")
    with translation.override("en"):
        assert question.scale_ends() == ("very unhappy", "very happy")


def test_english_without_english_words_reads_the_english_text_then_the_chinese_words():
    question = Question(
        type="scale",
        text="满意度",
        text_en="Satisfaction (1 = bad, 5 = good)",
        scale_low_label="很不满意",
        scale_high_label="非常满意",
    )
    with translation.override("en"):
        assert question.scale_ends() == ("bad", "good")
        question.text_en = "Satisfaction"
        assert question.scale_ends() == ("很不满意", "非常满意")
    with translation.override("zh-hans"):
        assert question.scale_ends() == ("很不满意", "非常满意")


# --- the migration's data step ------------------------------------------------------------------


def _legacy_open_consultation(department):
    """An open consultation published (revision and rows) with an old-style scale question."""
    consultation = ConsultationFactory(department=department)
    make_openable(consultation, opens_at=NOW - timedelta(days=2))
    QuestionFactory(
        consultation=consultation,
        type="scale",
        options="",
        text="信息是否充分？（1＝很不充分，5＝非常充分）",
        text_en="Is the information enough? (1 = not at all, 5 = fully)",
    )
    consultation.save_revision().publish(skip_permission_checks=True)
    consultation.refresh_from_db()
    return consultation


def test_the_data_step_copies_the_old_words_into_rows_and_revisions(department):
    consultation = ConsultationFactory(department=department)
    lines = QuestionFactory(
        consultation=consultation, type="scale", options="差\n好", options_en="bad\ngood"
    )
    zh_only = QuestionFactory(
        consultation=consultation, type="scale", options="", text="满意度（1＝很不满意，5＝很满意）"
    )
    nothing = QuestionFactory(consultation=consultation, type="scale", options="", text="满意度")
    own = QuestionFactory(
        consultation=consultation,
        type="scale",
        options="",
        text="满意度（1＝差，5＝好）",
        scale_low_label="低",
        scale_high_label="高",
    )
    choice = QuestionFactory(consultation=consultation, type="single", text="（1＝甲，5＝乙）")
    published = _legacy_open_consultation(department)

    MIGRATION.fill_scale_labels(django_apps, None)
    MIGRATION.fill_scale_labels(django_apps, None)  # a second run changes nothing

    def words(question):
        question.refresh_from_db()
        return tuple(
            getattr(question, f"scale_{end}_label{suffix}")
            for suffix in ("", "_en")
            for end in ("low", "high")
        )

    assert words(lines) == ("差", "好", "bad", "good")
    assert words(zh_only) == ("很不满意", "很满意", "", "")
    assert words(nothing) == ("", "", "", "")
    assert words(own) == ("低", "高", "", "")
    assert words(choice) == ("", "", "", "")
    [row] = published.questions.all()
    assert words(row) == ("很不充分", "非常充分", "not at all", "fully")
    [saved] = published.latest_revision.content["questions"]
    assert (saved["scale_low_label"], saved["scale_high_label_en"]) == ("很不充分", "fully")
    operation = MIGRATION.Migration.operations[-1]
    assert operation.reversible  # backwards: nothing to undo


def test_after_the_data_step_an_open_consultation_can_still_be_edited(approver_client, department):
    """The editor opens the latest revision when it has unpublished changes: its copy of the
    question must carry the words too, or the unchanged question would look changed."""
    consultation = _legacy_open_consultation(department)
    consultation.plain_summary = "尚未发布的修改"
    consultation.save_revision()
    MIGRATION.fill_scale_labels(django_apps, None)
    consultation.refresh_from_db()
    assert consultation.has_unpublished_changes
    data = edit_form_data(
        approver_client, consultation, plain_summary="更通俗的说明", change_note="补充说明"
    )
    assert data["questions-0-scale_low_label"] == "很不充分"
    response = approver_client.post(edit_url(consultation), data)
    assert response.status_code == 302

    # The words are frozen with the rest of the question once it has opened.
    data = edit_form_data(
        approver_client,
        consultation,
        change_note="改说明",
        **{"questions-0-scale_high_label": "很充分"},
    )
    response = approver_client.post(edit_url(consultation), data)
    assert response.status_code == 200
    assert str(FROZEN_MESSAGE) in [str(m) for m in response.context["form"].non_field_errors()]
    consultation.refresh_from_db()
    assert consultation.questions.get().scale_high_label == "非常充分"
