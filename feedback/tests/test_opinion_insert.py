"""A new opinion in one statement (feedback/intake/insert.py) stores what the ORM would."""

from __future__ import annotations

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from feedback.intake import services
from feedback.intake.services import Answer, OpinionData, submission_create
from feedback.models import (
    AlternativePreference,
    ClauseComment,
    Contact,
    QuestionAnswer,
    Submission,
)
from feedback.privacy.contacts import new_contact

pytestmark = pytest.mark.django_db

VARYING = {"id", "receipt", "idempotency_token", "contact_ref", "updated_at", "search_vector"}


def full_opinion(consultation) -> OpinionData:
    alternatives = list(consultation.alternatives.order_by("sort_order"))
    questions = list(consultation.questions.order_by("sort_order"))
    clauses = list(consultation.current_draft_version().clauses.order_by("number"))
    return OpinionData(
        stance="conditional",
        affected_status="resident",
        comment="希望公开环评报告。\n<script>alert(1)</script>",
        quote_consent=True,
        preferences={alternatives[0].pk: "prefer", alternatives[1].pk: "oppose"},
        answers={
            questions[0].pk: Answer(options=[1]),
            questions[1].pk: Answer(options=[2, 0]),
            questions[2].pk: Answer(scale=4),
            questions[3].pk: Answer(text="选址要听证"),
        },
        clause_comments={clauses[0].pk: "第一条太笼统", clauses[1].pk: "第二条同意"},
        contact_email="resident@example.org",
    )


def orm_opinion(consultation, data: OpinionData, now) -> Submission:
    """The same opinion written the ORM's way, for comparison."""
    contact, ref = new_contact(data)
    contact.save()
    submission = Submission.objects.create(
        consultation=consultation,
        stance=data.stance,
        affected_status=data.affected_status,
        comment=data.comment,
        quote_consent=data.quote_consent,
        receipt="ORM0ORM0ORM0",
        received_at=now,
        text_hash=services.normalised_text_hash(data),
        idempotency_token=uuid.uuid4(),
        contact_ref=ref,
    )
    services._write_parts(submission, data)
    return submission


def snapshot(submission: Submission) -> dict:
    stored = Submission.objects.get(pk=submission.pk)
    row = {k: v for k, v in model_to_dict(stored).items() if k not in VARYING}
    row["preferences"] = sorted(
        AlternativePreference.objects.filter(submission=stored).values_list(
            "alternative_id", "preference"
        )
    )
    row["answers"] = sorted(
        QuestionAnswer.objects.filter(submission=stored).values_list(
            "question_id", "options", "scale", "text"
        )
    )
    row["clauses"] = sorted(
        ClauseComment.objects.filter(submission=stored).values_list("clause_id", "text")
    )
    row["contact"] = Contact.objects.filter(ref=stored.contact_ref).exists()
    return row


def test_one_statement_stores_what_the_orm_stores(open_consultation):
    data = full_opinion(open_consultation)
    with CaptureQueriesContext(connection) as queries:
        fast, created = submission_create(
            consultation=open_consultation, data=data, token=uuid.uuid4()
        )
    assert created
    inserts = [q["sql"] for q in queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1  # the opinion, its contact and all its parts in one statement
    slow = orm_opinion(open_consultation, data, fast.received_at)
    expected = snapshot(slow)
    expected["is_exact_duplicate"] = False  # the ORM path leaves the mark to _mark_duplicate
    assert snapshot(fast) == expected
    assert snapshot(fast)["contact"] and len(snapshot(fast)["answers"]) == 4
    assert fast.pk == Submission.objects.get(receipt=fast.receipt).pk


def test_opinion_without_parts_or_contact(open_consultation):
    submission, created = submission_create(
        consultation=open_consultation, data=OpinionData(stance="support"), token=uuid.uuid4()
    )
    assert created and submission.contact_ref == ""
    assert snapshot(submission)["preferences"] == snapshot(submission)["clauses"] == []


def test_taken_token_inside_a_transaction_leaves_it_usable(open_consultation):
    token = uuid.uuid4()
    first, _ = submission_create(
        consultation=open_consultation, data=OpinionData(stance="oppose"), token=token
    )
    with transaction.atomic():
        again, created = submission_create(
            consultation=open_consultation, data=OpinionData(stance="support"), token=token
        )
        assert (again.pk, created) == (first.pk, False)
        assert Submission.objects.count() == 1  # the transaction still works
    assert Submission.objects.get().stance == "oppose"


def test_a_refused_statement_stores_no_part(open_consultation):
    data = full_opinion(open_consultation)
    token = uuid.uuid4()
    submission_create(
        consultation=open_consultation, data=OpinionData(stance="oppose"), token=token
    )
    submission = Submission(
        consultation=open_consultation, receipt="ZZZZZZZZZZZZ", idempotency_token=token
    )
    from feedback.intake.insert import insert_opinion

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_opinion(submission, contact=None, parts=services._parts(data))
    assert Submission.objects.count() == 1
    assert not ClauseComment.objects.exists() and not QuestionAnswer.objects.exists()


def test_the_statement_is_prepared_once_whatever_the_opinion_holds(open_consultation):
    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements "
                "WHERE statement LIKE 'WITH s AS (INSERT INTO \"feedback_submission\"%%'"
            )
            return cursor.fetchone()[0]

    before = prepared()
    for n in range(3):  # the same opinion's shape three times: one prepared statement
        submission_create(
            consultation=open_consultation,
            data=OpinionData(comment=f"同样形状的意见{n}"),
            token=uuid.uuid4(),
        )
    assert prepared() == before + 1
    # Any number of parts of each kind: still the same statement (parts are JSON parameters).
    full = full_opinion(open_consultation)
    fewer = OpinionData(
        stance="support",
        preferences=dict(list(full.preferences.items())[:1]),
        answers=dict(list(full.answers.items())[:3]),
        clause_comments=dict(list(full.clause_comments.items())[:1]),
    )
    submission_create(consultation=open_consultation, data=fewer, token=uuid.uuid4())
    assert prepared() == before + 1
    # A contact (a parameter of another type where there was none) may add one more, no more.
    submission_create(consultation=open_consultation, data=full, token=uuid.uuid4())
    submission_create(consultation=open_consultation, data=full, token=uuid.uuid4())
    assert prepared() <= before + 2
    assert QuestionAnswer.objects.count() == 3 + 4 + 4


def test_parts_must_come_in_the_order_of_their_kinds(open_consultation):
    from feedback.intake.insert import insert_opinion

    data = full_opinion(open_consultation)
    submission = Submission(
        consultation=open_consultation, receipt="YYYYYYYYYYYY", idempotency_token=uuid.uuid4()
    )
    preferences, answers, clauses = services._parts(data)
    with pytest.raises(TypeError):
        insert_opinion(submission, contact=None, parts=[answers, preferences, clauses])
    with pytest.raises(ValueError):
        insert_opinion(submission, contact=None, parts=[preferences, answers])
    assert not Submission.objects.exists()
