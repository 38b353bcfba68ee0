"""The opinion form's fields, built once per consultation version, form class and language."""

from __future__ import annotations

import pytest
from django.utils import translation

from feedback.intake.forms import IntakeForm, OpinionForm
from feedback.intake.views import FormParts, form_parts
from feedback.tests.conftest import build_form

pytestmark = pytest.mark.django_db


def build(consultation, parts: FormParts, data=None, form_class=OpinionForm):
    return build_form(consultation, data, form_class, parts)


def test_bound_forms_share_the_fields_unbound_ones_get_copies(open_consultation):
    parts = form_parts(open_consultation)
    first, second = build(open_consultation, parts, {}), build(open_consultation, parts, {})
    assert list(first.fields) == list(second.fields)
    assert all(first.fields[n] is second.fields[n] for n in first.fields)
    blank = build(open_consultation, parts)
    assert all(blank.fields[n] is not first.fields[n] for n in first.fields)
    assert "base_fields" not in vars(first)  # the class attribute again after __init__


def test_same_fields_and_errors_as_a_form_built_from_scratch(open_consultation):
    parts = form_parts(open_consultation)
    data = {"token": "not-a-uuid", "stance": "maybe", "comment": "x" * 5001}
    plain = OpinionForm(
        data,
        consultation=open_consultation,
        alternatives=parts.alternatives,
        questions=parts.questions,
        clauses=parts.clauses,
    )
    cached = build(open_consultation, parts, data)
    assert list(cached.fields) == list(plain.fields)
    assert [str(f.label) for f in cached.fields.values()] == [
        str(f.label) for f in plain.fields.values()
    ]
    assert not cached.is_valid() and not plain.is_valid()
    assert cached.errors == plain.errors


def test_labels_follow_the_language_and_the_form_class(open_consultation):
    parts = form_parts(open_consultation)
    clause = f"clause_{parts.clauses[0].number}"
    with translation.override("zh-hans"):
        zh = build(open_consultation, parts, {})
    with translation.override("en"):
        en = build(open_consultation, parts, {})
        intake = build(open_consultation, parts, {}, form_class=IntakeForm)
    assert str(en.fields[clause].label).startswith("Comment on clause")
    assert not str(zh.fields[clause].label).startswith("Comment on clause")
    assert "channel" in intake.fields and "channel" not in en.fields
    assert list(intake.fields)[:2] == ["channel", "submitted_on"]


def test_a_new_version_of_the_consultation_gets_new_fields(open_consultation):
    parts = form_parts(open_consultation)
    before = build(open_consultation, parts, {})
    question = parts.questions[0]
    question.text = "新的问题文字"
    question.save()
    open_consultation.save()  # publishing an edit saves the row: a new updated_at
    after_parts = form_parts(open_consultation)
    assert after_parts is not parts
    after = build(open_consultation, after_parts, {})
    assert after.fields[f"q_{question.pk}"] is not before.fields[f"q_{question.pk}"]
    assert str(after.fields[f"q_{question.pk}"].label) == "新的问题文字"
