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
from .ratelimit import CounterChain

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
def _statement(
    has_contact: bool,
    shape: tuple[tuple[type[models.Model], int], ...],
    leading: tuple[str, ...] = (),
    guard: str = "",
    extra: str = "",
) -> str:
    """The statement's text for an opinion with or without contact and ``shape``: the model
    and number of rows of each non-empty group of parts. Built once per shape.

    With a ``guard`` (a condition over the ``leading`` CTEs), the opinion is inserted only
    when it holds, and then its contact and parts; otherwise nothing is. ``extra`` is added to
    the result row (e.g. the rate-limit counters)."""

    def insert(name: str, model: type[models.Model], rows: int, *, parent: bool) -> str:
        columns = _columns(model, parent)
        names = ", ".join(c.name for c in columns)
        table = connection.ops.quote_name(model._meta.db_table)
        head = f"{name} AS (INSERT INTO {table} ({names}) "  # noqa: S608
        if not guard:
            values = ", ".join(f"({', '.join(c.value for c in columns)})" for _ in range(rows))
            return f"{head}VALUES {values}"
        if not parent:  # one row, when the opinion is inserted
            where = "WHERE " + (guard if name == "s" else "EXISTS (SELECT 1 FROM s)")  # noqa: S608
            return f"{head}SELECT {', '.join(c.value for c in columns)} {where}"
        # Parts: one row per value row for the opinion's id; none when it was not inserted.
        own = [c for c in columns if c.value.startswith("%s")]
        aliases = {c.name: f"v{i}" for i, c in enumerate(own)}
        select = ", ".join(
            "s.id" if c.name not in aliases else f"v.{aliases[c.name]}" for c in columns
        )
        values = ", ".join(f"({', '.join(c.value for c in own)})" for _ in range(rows))
        return (
            f"{head}SELECT {select} FROM s CROSS JOIN (VALUES {values}) "  # noqa: S608
            f"AS v({', '.join(aliases.values())})"
        )

    ctes = [*leading]
    ctes.append(insert("s", Submission, 1, parent=False) + " RETURNING id, is_exact_duplicate)")
    if has_contact:
        from .models import Contact

        ctes.append(insert("c", Contact, 1, parent=False) + ")")
    for i, (model, rows) in enumerate(shape):
        ctes.append(insert(f"p{i}", model, rows, parent=True) + ")")
    result = (
        "(SELECT id FROM s), (SELECT is_exact_duplicate FROM s)"
        if guard
        else "id, is_exact_duplicate"
    )
    tail = "" if guard else " FROM s"
    return f"WITH {', '.join(ctes)} SELECT {result}{extra}{tail}"  # noqa: S608


def insert_opinion(
    submission: Submission,
    *,
    contact: models.Model | None,
    parts: list[list[models.Model]],
    counters: CounterChain | None = None,
) -> tuple | None:
    """Store ``submission``, its ``contact`` and its ``parts`` (lists of AlternativePreference,
    QuestionAnswer, ClauseComment rows; empty lists allowed) in one statement. Sets the
    submission's ``pk`` and ``is_exact_duplicate``. Raises ``IntegrityError`` (and stores
    nothing) on a taken idempotency token or receipt code.

    With ``counters`` (rate-limit counters in the database cache), the same statement counts
    the request and stores the opinion only when every counter is within its limit; returns
    the counts, and leaves ``submission.pk`` None when nothing was stored. A refused
    statement (a taken token) counts nothing."""
    pre_save.send(sender=Submission, instance=submission, raw=False, using="default")
    params: list = list(counters.params) if counters else []
    guard_sql, guard_params = counters.within_limits_sql() if counters else ("", [])
    for c in _columns(Submission):
        if c.field.name == "is_exact_duplicate":
            params += [submission.consultation_id, submission.text_hash]
        else:
            f = c.field
            params.append(f.get_db_prep_save(f.pre_save(submission, True), connection))
    params += guard_params
    if contact is not None:
        _params(contact, _columns(type(contact)), params)
    groups = [g for g in parts if g]
    for group in groups:
        columns = _columns(type(group[0]), True)
        for obj in group:
            _params(obj, columns, params)
    shape = tuple((type(g[0]), len(g)) for g in groups)
    if counters:
        extra = "".join(f", (SELECT n FROM c{i})" for i in range(len(counters.windows)))  # noqa: S608
        statement = _statement(contact is not None, shape, tuple(counters.ctes), guard_sql, extra)
    else:
        statement = _statement(contact is not None, shape)
    # A single statement is atomic by itself; inside a caller's transaction a savepoint keeps
    # a refused INSERT (a retry's token) from breaking that transaction.
    # On PostgreSQL the statement runs prepared: one plan per shape and database connection.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    cursor = prepared_cursor() if connection.vendor == "postgresql" else connection.cursor()
    with guard, cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    counts = row[2:] if counters else None
    if row[0] is None:  # over a limit: nothing stored
        return counts
    submission.pk, submission.is_exact_duplicate = row[0], row[1]
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
    return counts
