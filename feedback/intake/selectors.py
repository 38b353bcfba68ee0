"""Read paths of the opinion register. Nothing here ever touches ``Contact``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from consultations.models import Alternative, Clause, Consultation, Question
from feedback.models import Submission
from feedback.models.receipts import normalise_receipt


def form_clauses(consultation: Consultation) -> QuerySet[Clause] | list[Clause]:
    """Clauses of the current draft version, in order (the targets of clause comments)."""
    version = consultation.current_draft_version()
    if version is None:
        return []
    return version.clauses.order_by("number")


def form_alternatives(consultation: Consultation) -> QuerySet[Alternative]:
    return consultation.alternatives.order_by("sort_order", "pk")


def form_questions(consultation: Consultation) -> QuerySet[Question]:
    return consultation.questions.order_by("sort_order", "pk")


def submission_by_receipt(typed_code: str) -> Submission | None:
    code = normalise_receipt(typed_code)
    if code is None:
        return None
    return Submission.objects.select_related("consultation").filter(receipt=code).first()


@dataclass
class ShownAnswer:
    question: Question
    labels: list[str]
    scale: int | None
    text: str


def submission_display(submission: Submission) -> dict:
    """What a receipt page shows: the parts of the opinion with labels, never contact data."""
    options = {}
    answers = []
    for answer in submission.answers.select_related("question").order_by(
        "question__sort_order", "question__pk"
    ):
        question = answer.question
        if question.pk not in options:
            options[question.pk] = dict(question.localized_options())
        labels = [options[question.pk].get(i, str(i)) for i in answer.options]
        answers.append(ShownAnswer(question, labels, answer.scale, answer.text))
    return {
        "preferences": list(
            submission.alternative_preferences.select_related("alternative").order_by(
                "alternative__sort_order", "alternative__pk"
            )
        ),
        "answers": answers,
        "clause_comments": list(
            submission.clause_comments.select_related("clause").order_by("clause__number")
        ),
    }


def submission_counts(consultation: Consultation, phase: str | None = None) -> dict[str, int]:
    """Totals for the register: received (all), withdrawn, and exact duplicates; of one phase
    (``Phase``: the consultation's own page counts the consultation's opinions, as it lists
    them; opinions during implementation have their count on the decided page) or of all."""
    opinions = Submission.objects.filter(consultation=consultation)
    if phase is not None:
        opinions = opinions.filter(phase=phase)
    return opinions.aggregate(
        received=Count("pk"),
        withdrawn=Count("pk", filter=Q(withdrawn=True)),
        exact_duplicates=Count("pk", filter=Q(is_exact_duplicate=True)),
    )
