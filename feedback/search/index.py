"""Chinese full-text search over opinions (``Submission.search_vector``, GIN-indexed).

Why: PostgreSQL has no Chinese parser (and neither the embedded server nor a plain Debian
PostgreSQL without contrib gives pg_trgm or zhparser), so the vector is written from Python:
character bigrams with their positions, of the texts folded to Simplified
(:mod:`feedback.search.tokens`, docs/adr/0012-search.md). Queries are compiled the same way
(:func:`feedback.search.tokens.compile_query`) and matched with ``to_tsquery('simple', …)`` on
the GIN index ``submission_search_gin``. So 焚烧 finds 垃圾焚烧发电厂, 樓 finds 楼 and a phrase
copied from an opinion finds it.

The vector covers the comment and the clause comments (weight A: shown on the public opinions
page) and the free-text answers (weight B: staff only). It is written by the ``opinions_arrived``
task (enqueued after every opinion is committed, see ``feedback.campaigns.grouping``); an edit
clears it so the task writes it again; ``manage.py search_reindex`` fills or rewrites it for
existing opinions (migration 0020 rewrote every vector in this form).

Withdrawn opinions are never indexed and never found (issue 12): a withdrawal clears the vector
(:func:`search_vectors_clear`, called by the opinions' post_save receiver in
``feedback.campaigns.tasks``), the indexing skips them and its UPDATE writes no vector to a row
withdrawn meanwhile (``NOT withdrawn`` is checked again on the row it locks), and the staff query
(``feedback.search.query``) leaves them out as well.
"""

from __future__ import annotations

from django.db import connection, transaction
from django_tasks import task

from feedback.analysis.opinion_texts import id_array
from feedback.models import ClauseComment, QuestionAnswer, Submission
from feedback.search.tokens import PRIVATE_WEIGHT, PUBLIC_WEIGHT, document_vector

BATCH_SIZE = 500


def _write_vectors(pairs: list[tuple[int, str]]) -> None:
    if not pairs:
        return
    ids = [pk for pk, _t in pairs]
    vectors = [v for _pk, v in pairs]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE feedback_submission AS s
               SET search_vector = v.vector::tsvector
              FROM unnest(%s::bigint[], %s::text[]) AS v(id, vector)
             WHERE s.id = v.id AND NOT s.withdrawn
            """,
            [ids, vectors],
        )


def opinion_parts(submission_ids) -> dict[int, list[tuple[str, str]]]:
    """The texts of each opinion with their weight, masked: comment and clause comments (shown
    in public, ``A``), then the free-text answers (``B``)."""
    from feedback.privacy.masking import mask_text

    ids = list(submission_ids)
    parts: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    answers: dict[int, list[tuple[str, str]]] = {pk: [] for pk in ids}
    for pk, comment in Submission.objects.filter(pk__in=id_array(ids)).values_list("pk", "comment"):
        if comment:
            parts[pk].append((mask_text(comment), PUBLIC_WEIGHT))
    for pk, text in (
        ClauseComment.objects.filter(submission_id__in=id_array(ids))
        .exclude(text="")
        .order_by("submission_id", "clause_id")
        .values_list("submission_id", "text")
    ):
        parts[pk].append((mask_text(text), PUBLIC_WEIGHT))
    for pk, text in (
        QuestionAnswer.objects.filter(submission_id__in=id_array(ids))
        .exclude(text="")
        .order_by("submission_id", "question_id")
        .values_list("submission_id", "text")
    ):
        answers[pk].append((mask_text(text), PRIVATE_WEIGHT))
    return {pk: parts[pk] + answers[pk] for pk in ids}


def index_submissions(submission_ids) -> int:
    """Write the search vector of the given opinions (their current texts); withdrawn ones are
    skipped (and get none)."""
    ids = list(submission_ids)
    done = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = list(
            Submission.objects.filter(pk__in=ids[start : start + BATCH_SIZE], withdrawn=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # Masked first: a phone number or WeChat ID typed into the search box finds nothing
        # (issue 12; the staff query drops personal details too).
        texts = opinion_parts(batch) if batch else {}
        with transaction.atomic():
            _write_vectors([(pk, document_vector(parts)) for pk, parts in texts.items()])
        done += len(texts)
    return done


def index_new_opinions_now(consultation_id: int | None = None) -> int:
    """Index every opinion (of one consultation, or all) that has no search vector yet and is
    not withdrawn."""
    total = 0
    while True:
        qs = Submission.objects.filter(search_vector__isnull=True, withdrawn=False)
        if consultation_id is not None:
            qs = qs.filter(consultation_id=consultation_id)
        ids = list(qs.order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE])
        if not ids:
            return total
        total += index_submissions(ids)


def search_vectors_clear(submission_ids) -> int:
    """Remove the search vector of the given opinions (a list of ids or a queryset of them);
    returns how many had one."""
    return (
        Submission.objects.filter(pk__in=submission_ids, search_vector__isnull=False)
        .order_by()
        .update(search_vector=None)
    )


@task()
def index_new_opinions(consultation_id: int) -> int:
    """Kept for rows queued under this name: new opinions are now indexed by the one task
    ``feedback.campaigns.tasks.opinions_arrived``."""
    return index_new_opinions_now(consultation_id)
