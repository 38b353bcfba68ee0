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

import functools
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models.signals import post_save, pre_save

from .db import prepared_cursor
from .models import Submission

_DUPLICATE = (
    "EXISTS (SELECT 1 FROM {table} e WHERE e.consultation_id = %s AND e.text_hash = %s"
    " AND e.text_hash <> '')"
)


@dataclass(frozen=True)
class _Column:
    field: models.Field
    name: str  # quoted column name
    value: str  # SQL expression: a typed parameter, or the parent's id


@functools.cache
def _columns(model: type[models.Model], parent: bool = False) -> tuple[_Column, ...]:
    """The columns of ``model``'s INSERT as the ORM writes them (every concrete field but the
    primary key, cast to its database type). Computed once per process: the fields and the
    database vendor do not change while it runs. With ``parent``, the foreign key to
    ``Submission`` is read from the CTE ``s`` instead of a parameter."""
    out = []
    for f in model._meta.local_concrete_fields:
        if f.primary_key:
            continue
        if parent and f.is_relation and f.related_model is Submission:
            value = "(SELECT id FROM s)"
        elif model is Submission and f.name == "is_exact_duplicate":
            value = _DUPLICATE.format(table=connection.ops.quote_name(model._meta.db_table))
        else:
            value = f"%s::{f.db_type(connection)}"
        out.append(_Column(f, connection.ops.quote_name(f.column), value))
    return tuple(out)


def _params(obj: models.Model, columns: tuple[_Column, ...], params: list) -> None:
    for c in columns:
        if c.value.startswith("%s"):
            f = c.field
            params.append(f.get_db_prep_save(f.pre_save(obj, True), connection))


@functools.lru_cache(maxsize=256)
def _statement(has_contact: bool, shape: tuple[tuple[type[models.Model], int], ...]) -> str:
    """The statement's text for an opinion with or without contact and ``shape``: the model
    and number of rows of each non-empty group of parts. Built once per shape."""

    def insert(name: str, model: type[models.Model], rows: int, *, parent: bool) -> str:
        columns = _columns(model, parent)
        names = ", ".join(c.name for c in columns)
        values = ", ".join(f"({', '.join(c.value for c in columns)})" for _ in range(rows))
        table = connection.ops.quote_name(model._meta.db_table)
        return f"{name} AS (INSERT INTO {table} ({names}) VALUES {values}"  # noqa: S608

    ctes = [insert("s", Submission, 1, parent=False) + " RETURNING id, is_exact_duplicate)"]
    if has_contact:
        from .models import Contact

        ctes.append(insert("c", Contact, 1, parent=False) + ")")
    for i, (model, rows) in enumerate(shape):
        ctes.append(insert(f"p{i}", model, rows, parent=True) + ")")
    return f"WITH {', '.join(ctes)} SELECT id, is_exact_duplicate FROM s"  # noqa: S608


def insert_opinion(
    submission: Submission, *, contact: models.Model | None, parts: list[list[models.Model]]
) -> None:
    """Store ``submission``, its ``contact`` and its ``parts`` (lists of AlternativePreference,
    QuestionAnswer, ClauseComment rows; empty lists allowed) in one statement. Sets the
    submission's ``pk`` and ``is_exact_duplicate``. Raises ``IntegrityError`` (and stores
    nothing) on a taken idempotency token or receipt code."""
    pre_save.send(sender=Submission, instance=submission, raw=False, using="default")
    params: list = []
    for c in _columns(Submission):
        if c.field.name == "is_exact_duplicate":
            params += [submission.consultation_id, submission.text_hash]
        else:
            f = c.field
            params.append(f.get_db_prep_save(f.pre_save(submission, True), connection))
    if contact is not None:
        _params(contact, _columns(type(contact)), params)
    groups = [g for g in parts if g]
    for group in groups:
        columns = _columns(type(group[0]), True)
        for obj in group:
            _params(obj, columns, params)
    shape = tuple((type(g[0]), len(g)) for g in groups)
    statement = _statement(contact is not None, shape)
    # A single statement is atomic by itself; inside a caller's transaction a savepoint keeps
    # a refused INSERT (a retry's token) from breaking that transaction.
    # On PostgreSQL the statement runs prepared: one plan per shape and database connection.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    cursor = prepared_cursor() if connection.vendor == "postgresql" else connection.cursor()
    with guard, cursor:
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
