"""The full text of each stored opinion, as campaign grouping and search read it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db.models.expressions import RawSQL

from feedback.models import (
    ClauseComment,
    QuestionAnswer,
    Submission,
)

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


def id_array(ids) -> RawSQL:
    """``IN (SELECT unnest(%s::bigint[]))``: one array parameter instead of hundreds of
    placeholders, which psycopg's client-side binding splits slowly."""
    return RawSQL("SELECT unnest(%s::bigint[])", [list(ids)])


# -- the opinion's text ---------------------------------------------------------------------------


def opinion_texts(submission_ids) -> dict[int, str]:
    """The full text of each opinion: comment, clause comments, free-text answers (the parts
    ``text_hash`` covers, in the same order), joined by newlines."""
    ids = list(submission_ids)
    parts: dict[int, list[str]] = {pk: [] for pk in ids}
    for pk, comment in Submission.objects.filter(pk__in=id_array(ids)).values_list("pk", "comment"):
        if comment:
            parts[pk].append(comment)
    for pk, text in (
        ClauseComment.objects.filter(submission_id__in=id_array(ids))
        .order_by("submission_id", "clause_id")
        .values_list("submission_id", "text")
    ):
        if text:
            parts[pk].append(text)
    for pk, text in (
        QuestionAnswer.objects.filter(submission_id__in=id_array(ids))
        .exclude(text="")
        .order_by("submission_id", "question_id")
        .values_list("submission_id", "text")
    ):
        parts[pk].append(text)
    return {pk: "\n".join(p) for pk, p in parts.items()}
