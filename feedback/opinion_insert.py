"""A new opinion and all its parts in ONE SQL statement (docs/adr/0007-opinion-in-one-statement.md).

The ORM would write an opinion in eight round trips (BEGIN, the opinion, its contact, three
kinds of parts, the exact-duplicate mark, COMMIT), each compiled anew. Here the same rows go in
one statement of data-modifying CTEs: atomic by itself (all rows or none), one round trip, one
commit, and no compiler work beyond reading the models' field list, which keeps the SQL in step
with the models (every concrete field, its ``pre_save`` and its database type, as the ORM's
INSERT uses them; a field added later is written without a change here).

The exact-duplicate mark is computed inside the INSERT: an opinion is a duplicate when an
earlier opinion of the same consultation has the same normalised text.

``Submission``'s signals are sent as the ORM would send them (``pre_save`` before, ``post_save``
after with ``created=True``), so receivers such as the campaign grouping hook see every new
opinion. The contact and the parts are written without signals and their ids are not read back
(nothing listens to them; a receiver added for them must be served here too).
"""

from __future__ import annotations

from contextlib import nullcontext

from django.db import connection, models, transaction
from django.db.models.signals import post_save, pre_save

from .models import Submission

_DUPLICATE = (
    "EXISTS (SELECT 1 FROM {table} e WHERE e.consultation_id = %s AND e.text_hash = %s"
    " AND e.text_hash <> '')"
)


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.local_concrete_fields if not f.primary_key]


def _row(obj: models.Model, *, parent: str | None = None) -> tuple[list[str], list[str], list]:
    """(columns, SQL expressions, parameters) of ``obj``'s INSERT; with ``parent``, the foreign
    key to ``Submission`` is read from that CTE instead of a parameter."""
    columns, values, params = [], [], []
    for f in _columns(type(obj)):
        columns.append(connection.ops.quote_name(f.column))
        if parent and f.is_relation and f.related_model is Submission:
            values.append(f"(SELECT id FROM {parent})")  # noqa: S608 - a CTE name of ours
            continue
        values.append(f"%s::{f.db_type(connection)}")
        params.append(f.get_db_prep_save(f.pre_save(obj, True), connection))
    return columns, values, params


def _insert(name: str, rows: list[models.Model], *, parent: str | None = None) -> tuple[str, list]:
    model = type(rows[0])
    table = connection.ops.quote_name(model._meta.db_table)
    tuples, params, columns = [], [], []
    for obj in rows:
        columns, values, row_params = _row(obj, parent=parent)
        tuples.append(f"({', '.join(values)})")
        params += row_params
    # Names come from the models, values are parameters.
    sql = f"{name} AS (INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join(tuples)})"  # noqa: S608
    return sql, params


def insert_opinion(
    submission: Submission, *, contact: models.Model | None, parts: list[list[models.Model]]
) -> None:
    """Store ``submission``, its ``contact`` and its ``parts`` (lists of AlternativePreference,
    QuestionAnswer, ClauseComment rows; empty lists allowed) in one statement. Sets the
    submission's ``pk`` and ``is_exact_duplicate``. Raises ``IntegrityError`` (and stores
    nothing) on a taken idempotency token or receipt code."""
    pre_save.send(sender=Submission, instance=submission, raw=False, using="default")
    table = connection.ops.quote_name(Submission._meta.db_table)
    columns, values, params = [], [], []
    for f in _columns(Submission):
        columns.append(connection.ops.quote_name(f.column))
        if f.name == "is_exact_duplicate":
            values.append(_DUPLICATE.format(table=table))
            params += [submission.consultation_id, submission.text_hash]
            continue
        values.append(f"%s::{f.db_type(connection)}")
        params.append(f.get_db_prep_save(f.pre_save(submission, True), connection))
    ctes = [
        f"s AS (INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(values)})"  # noqa: S608
        " RETURNING id, is_exact_duplicate)"
    ]
    if contact is not None:
        sql, contact_params = _insert("c", [contact])
        ctes.append(sql)
        params += contact_params
    for i, group in enumerate(g for g in parts if g):
        sql, part_params = _insert(f"p{i}", group, parent="s")
        ctes.append(sql)
        params += part_params
    statement = f"WITH {', '.join(ctes)} SELECT id, is_exact_duplicate FROM s"  # noqa: S608
    # A single statement is atomic by itself; inside a caller's transaction a savepoint keeps
    # a refused INSERT (a retry's token) from breaking that transaction.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with guard, connection.cursor() as cursor:
        cursor.execute(statement, params)
        submission.pk, submission.is_exact_duplicate = cursor.fetchone()
    submission._state.adding = False
    submission._state.db = "default"
    for group in parts:
        for obj in group:
            obj.submission_id = submission.pk
    post_save.send(
        sender=Submission,
        instance=submission,
        created=True,
        update_fields=None,
        raw=False,
        using="default",
    )
