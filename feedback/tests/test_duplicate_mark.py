"""The exact-duplicate mark follows the text through creation and edits (one statement)."""

from __future__ import annotations

import uuid

import pytest

from feedback.intake.services import OpinionData, submission_create, submission_update
from feedback.models import Submission

pytestmark = pytest.mark.django_db


def create(consultation, comment: str, stance: str = "oppose") -> Submission:
    submission, created = submission_create(
        consultation=consultation,
        data=OpinionData(stance=stance, comment=comment),
        token=uuid.uuid4(),
    )
    assert created
    return submission


def stored_mark(submission: Submission) -> bool:
    return Submission.objects.get(pk=submission.pk).is_exact_duplicate


def test_later_copies_are_marked_the_first_is_not(open_consultation):
    first = create(open_consultation, "垃圾焚烧厂离小区太近")
    second = create(open_consultation, "  垃圾焚烧厂离小区太近 ")
    assert (first.is_exact_duplicate, second.is_exact_duplicate) == (False, True)
    assert (stored_mark(first), stored_mark(second)) == (False, True)


def test_opinions_without_text_are_never_duplicates(open_consultation):
    create(open_consultation, "")
    second = create(open_consultation, "")
    assert not second.is_exact_duplicate and not stored_mark(second)


def test_an_edit_sets_and_clears_the_mark(open_consultation):
    first = create(open_consultation, "请公开环评报告")
    second = create(open_consultation, "请公开环评报告")
    assert stored_mark(second)
    second = submission_update(submission=second, data=OpinionData(comment="请延长征求期"))
    assert not second.is_exact_duplicate and not stored_mark(second)
    second = submission_update(submission=second, data=OpinionData(comment="请公开环评报告"))
    assert second.is_exact_duplicate and stored_mark(second)
    second = submission_update(submission=second, data=OpinionData(stance="support"))
    assert not second.is_exact_duplicate and not stored_mark(second)
    assert not stored_mark(first)


def test_other_consultations_do_not_count(open_consultation):
    from consultations.tests.factories import published_consultation

    other = published_consultation(
        opens_at=open_consultation.opens_at, closes_at=open_consultation.closes_at
    )
    create(other, "同样的意见")
    assert not create(open_consultation, "同样的意见").is_exact_duplicate
