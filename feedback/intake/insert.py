"""A new opinion and all its parts in ONE SQL statement (docs/adr/0007-opinion-in-one-statement.md).

The ORM would write an opinion in eight round trips (BEGIN, the opinion, its contact, three
kinds of parts, the exact-duplicate mark, COMMIT), each compiled anew. Here the same rows go in
one statement of data-modifying CTEs: atomic by itself (all rows or none), one round trip, one
commit, and no compiler work beyond reading the models' field list, which keeps the SQL in step
with the models (every concrete field, its ``pre_save`` and its database type, as the ORM's
INSERT uses them; a field added later is written without a change here).

The statement's text does not depend on the opinion: the contact is written or not by a flag
parameter, and each kind of part comes as one JSON parameter that ``jsonb_to_recordset`` turns
into rows. So it is prepared and planned once per connection, whatever the opinion holds (a text
per number of parts would be planned again for most opinions).

The exact-duplicate mark is computed inside the INSERT: an opinion is a duplicate when an
earlier opinion of the same consultation has the same normalised text.

``Submission``'s signals are sent as the ORM would send them (``pre_save`` before, ``post_save``
after with ``created=True``), so receivers such as the campaign grouping hook see every new
opinion. The contact and the parts are written without signals and their ids are not read back
(nothing listens to them; a receiver added for them must be served here too); the parts come as
plain field values, not model instances.
"""

from __future__ import annotations

import functools
import json
from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection, models, transaction
from django.db.models.signals import post_save, pre_save

from consultations.models import Consultation
from feedback.intake.db import prepared_cursor
from feedback.models import (
    AlternativePreference,
    ClauseComment,
    Contact,
    QuestionAnswer,
    Submission,
)


class StaleRoute(Exception):
    """The consultation changed since the request was routed: nothing was stored or counted."""


PART_MODELS = (AlternativePreference, QuestionAnswer, ClauseComment)
"""The kinds of part, in the order of ``insert_opinion``'s ``parts`` lists."""

ROUTE_GATE = "(SELECT ok FROM v)"
"""True when the consultation row is still the version the request was routed with (a CTE
``v`` that ``insert_opinion`` defines first when given ``route_version``); the gate of
``ratelimit.counter_chain`` for such a statement."""

_ROUTE_CHECK = (
    "v AS (SELECT EXISTS (SELECT 1 FROM {table} r WHERE r.id = %s"
    " AND r.xmin::text || r.ctid::text = %s) AS ok)"
)

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
        if _is_param(c):
            f = c.field
            params.append(f.get_db_prep_save(f.pre_save(obj, True), connection))


@functools.cache
def _part_fields(model: type[models.Model]) -> tuple[tuple[str, models.Field], ...]:
    """(attribute name, field) of a part's own columns, in column order. A part's row is a
    dict of field values by attribute name (no model instance): its fields must save their
    value as it is, which ``Field.pre_save`` does."""
    fields = tuple((c.field.attname, c.field) for c in _columns(model, True) if _is_param(c))
    for _name, f in fields:
        if type(f).pre_save is not models.Field.pre_save:
            raise TypeError(f"{model.__name__}.{f.name} computes its value on save")
    return fields


def _part_rows(model: type[models.Model], rows: list[dict]) -> str:
    """A group of part rows as one JSON array of objects (keys ``v0``, ``v1``… in column
    order), the parameter of the group's ``jsonb_to_recordset``. Missing values take the
    field's default."""
    fields = _part_fields(model)
    names = {name for name, _f in fields}
    out = []
    for row in rows:
        if not names.issuperset(row):
            raise TypeError(f"not fields of {model.__name__}: {sorted(set(row) - names)}")
        out.append(
            {
                f"v{i}": f.get_db_prep_save(
                    row[name] if name in row else f.get_default(), connection
                )
                for i, (name, f) in enumerate(fields)
            }
        )
    return json.dumps(out, ensure_ascii=False, separators=(",", ":"), default=str)


@functools.lru_cache(maxsize=8)
def _statement(leading: tuple[str, ...] = (), guard: str = "", extra: str = "") -> str:
    """The statement's text: the same for every opinion (with or without contact, with any
    number of parts of each kind), so it is prepared and planned once per connection.

    The contact is inserted when its flag parameter is true; each kind of part comes as one
    JSON parameter, a row per object (``jsonb_to_recordset``), and is inserted for the
    opinion's id. With a ``guard`` (a condition over the ``leading`` CTEs), the opinion is
    inserted only when it holds, and then its contact and parts; otherwise nothing is.
    ``extra`` is added to the result row (e.g. the rate-limit counters)."""

    def own(model: type[models.Model], parent: bool) -> tuple[str, list[_Column]]:
        columns = _columns(model, parent)
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(c.name for c in columns)
        return f"INSERT INTO {table} ({names}) ", list(columns)  # noqa: S608

    head, columns = own(Submission, False)
    where = f" WHERE {guard}" if guard else ""
    values = ", ".join(c.value for c in columns)
    ctes = [*leading, f"s AS ({head}SELECT {values}{where} RETURNING id, is_exact_duplicate)"]
    head, columns = own(Contact, False)
    values = ", ".join(c.value for c in columns)
    ctes.append(f"c AS ({head}SELECT {values} WHERE %s::boolean AND EXISTS (SELECT 1 FROM s))")  # noqa: S608
    for i, model in enumerate(PART_MODELS):
        head, columns = own(model, True)
        aliases = {c.name: f"v{k}" for k, c in enumerate(c for c in columns if _is_param(c))}
        select = ", ".join(f"r.{aliases[c.name]}" if c.name in aliases else "s.id" for c in columns)
        record = ", ".join(
            f"{aliases[c.name]} {c.field.db_type(connection)}" for c in columns if _is_param(c)
        )
        ctes.append(
            f"p{i} AS ({head}SELECT {select} FROM s "  # noqa: S608
            f"CROSS JOIN jsonb_to_recordset(%s::jsonb) AS r({record}))"
        )
    result = "(SELECT id FROM s), (SELECT is_exact_duplicate FROM s)"
    return f"WITH {', '.join(ctes)} SELECT {result}{extra}"  # noqa: S608


def _is_param(column: _Column) -> bool:
    return column.value.startswith("%s")


def insert_opinion(
    submission: Submission,
    *,
    contact: models.Model | None,
    parts: list[list[dict]],
    route_version: str | None = None,
) -> None:
    """Store ``submission``, its ``contact`` and its ``parts`` in one statement: one list per
       kind of part in ``PART_MODELS`` (empty lists allowed), each row a dict of field values by
       attribute name, without the submission (its id comes from the statement). Sets the
       submission's ``pk`` and ``is_exact_duplicate``. Raises ``IntegrityError`` (and stores
       nothing) on a taken idempotency token or receipt code.

    Rate-limit counters are never part of this statement or its transaction: they are counted
       before, in a statement of their own, so nothing in the database ties an opinion to the
       counter of its network (issue 12).

       With ``route_version`` (the consultation row's version, ``xmin`` and ``ctid``, read when
       the request was routed a moment ago), the statement first checks that the row is still
       that version, and stores nothing otherwise; raises ``StaleRoute`` then (the caller routes
       the request again)."""
    pre_save.send(sender=Submission, instance=submission, raw=False, using="default")
    params: list = []
    leading: tuple[str, ...] = ()
    guards = []
    if route_version is not None:
        table = connection.ops.quote_name(Consultation._meta.db_table)
        leading += (_ROUTE_CHECK.format(table=table),)
        params += [submission.consultation_id, route_version]
        guards.append(ROUTE_GATE)
    guard_sql = " AND ".join(guards)
    for c in _columns(Submission):
        if c.field.name == "is_exact_duplicate":
            params += [submission.consultation_id, submission.text_hash]
        else:
            f = c.field
            params.append(f.get_db_prep_save(f.pre_save(submission, True), connection))
    if contact is not None:
        _params(contact, _columns(type(contact)), params)
    else:
        params += [None] * sum(1 for c in _columns(Contact) if _is_param(c))
    params.append(contact is not None)
    if len(parts) != len(PART_MODELS):
        raise ValueError("parts: one list per kind of part, in the order of PART_MODELS")
    for model, rows in zip(PART_MODELS, parts, strict=True):
        params.append(_part_rows(model, rows))
    extra = f", {ROUTE_GATE}" if route_version is not None else ""
    statement = _statement(leading, guard_sql, extra)
    # A single statement is atomic by itself; inside a caller's transaction a savepoint keeps
    # a refused INSERT (a retry's token) from breaking that transaction.
    # On PostgreSQL the statement runs prepared: one plan per shape and database connection.
    guard = transaction.atomic() if connection.in_atomic_block else nullcontext()
    cursor = prepared_cursor() if connection.vendor == "postgresql" else connection.cursor()
    with guard, cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    if route_version is not None:
        if not row[2]:
            raise StaleRoute
        row = row[:2] + row[3:]
    submission.pk, submission.is_exact_duplicate = row[0], row[1]
    submission._state.adding = False
    submission._state.db = "default"
    post_save.send(
        sender=Submission,
        instance=submission,
        created=True,
        update_fields=None,
        raw=False,
        using="default",
    )
