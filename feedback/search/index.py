"""Chinese full-text search over opinions (``Submission.search_vector``, GIN-indexed).

Why: PostgreSQL has no Chinese parser, so the texts are segmented by jieba in Python
(:func:`feedback.analysis.text.segment_for_search`, search mode: whole words and the dictionary
words inside them) and stored as ``to_tsvector('simple', …)``; queries are segmented the same way
(:func:`segment_query`) and matched with ``to_tsquery('simple', …)`` on the GIN index
``submission_search_gin``. So 焚烧 finds 垃圾焚烧发电厂.

The vector covers the comment, the clause comments and the free-text answers. It is written by
the ``opinions_arrived`` task (enqueued after every opinion is committed, see
``feedback.campaigns.grouping``); an edit clears it so the task writes it again;
``manage.py search_reindex`` fills or rewrites it for existing opinions.

Withdrawn opinions are never indexed and never found (issue 12): a withdrawal clears the vector
(:func:`search_vectors_clear`, called by the opinions' post_save receiver in
``feedback.campaigns.tasks``), the indexing skips them and its UPDATE writes no vector to a row
withdrawn meanwhile (``NOT withdrawn`` is checked again on the row it locks), and the staff query
(``feedback.search.query``) leaves them out as well.
"""

from __future__ import annotations

from django.db import connection, transaction
from django_tasks import task

from feedback.analysis.text import segment_for_search
from feedback.models import Submission

BATCH_SIZE = 500


def _write_vectors(pairs: list[tuple[int, str]]) -> None:
    if not pairs:
        return
    ids = [pk for pk, _t in pairs]
    words = [w for _pk, w in pairs]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE feedback_submission AS s
               SET search_vector = to_tsvector('simple', v.words)
              FROM unnest(%s::bigint[], %s::text[]) AS v(id, words)
             WHERE s.id = v.id AND NOT s.withdrawn
            """,
            [ids, words],
        )


def index_submissions(submission_ids) -> int:
    """Write the search vector of the given opinions (their current texts); withdrawn ones are
    skipped (and get none)."""
    from feedback.analysis.opinion_texts import opinion_texts
    from feedback.privacy.masking import mask_text

    ids = list(submission_ids)
    done = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = list(
            Submission.objects.filter(pk__in=ids[start : start + BATCH_SIZE], withdrawn=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        texts = opinion_texts(batch) if batch else {}
        with transaction.atomic():
            # Masked first: a phone number or WeChat ID typed into the search box finds nothing
            # (issue 12; the staff query drops personal details too).
            _write_vectors([(pk, segment_for_search(mask_text(t))) for pk, t in texts.items()])
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
