"""Submitting the search corpus (feedback/analysis/eval/search_corpus_zh.jsonl) through the intake
service, for feedback/tests/test_search_eval.py and ``bench/search.py --eval``."""

from __future__ import annotations

import uuid
from datetime import timedelta

from feedback.search.evaluation import CORPUS, corpus_keys, read_jsonl


def make_places(now) -> dict[str, tuple]:
    """One published consultation per corpus key, with its first clause and a text question."""
    from consultations.models import Question
    from consultations.tests.factories import QuestionFactory, published_consultation

    places = {}
    for key in corpus_keys():
        c = published_consultation(
            opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=30)
        )
        clause = c.current_draft_version().clauses.order_by("number").first()
        question = QuestionFactory(
            consultation=c, type=Question.Type.TEXT, options="", sort_order=0
        )
        places[key] = (c, clause, question)
    return places


def load(places: dict[str, tuple], now) -> dict[int, int]:
    """Submit the corpus: ``places`` maps each consultation key to ``(consultation, clause,
    text question)``. Returns the submission pk of each corpus id, after indexing."""
    from feedback.intake.services import Answer, OpinionData, submission_create
    from feedback.search.index import index_new_opinions_now

    pks = {}
    for r in read_jsonl(CORPUS):
        consultation, clause, question = places[r["consultation"]]
        if r["part"] == "clause":
            data = OpinionData(clause_comments={clause.pk: r["text"]})
        elif r["part"] == "answer":
            data = OpinionData(answers={question.pk: Answer(text=r["text"])})
        else:
            data = OpinionData(comment=r["text"])
        submission, _ = submission_create(
            consultation=consultation, data=data, token=uuid.uuid4(), now=now
        )
        pks[r["id"]] = submission.pk
    index_new_opinions_now()
    return pks
