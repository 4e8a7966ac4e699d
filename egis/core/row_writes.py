"""Several writes of one transaction sent as one statement where the database can.

Each statement is a round trip to a database server (about 100 µs on PostgreSQL over loopback),
and the pipeline's transactions end with a run of writes whose results nothing in between reads:
the preflight's position + order + event, settle's order + position + event, the paper fill and
its book. `RowWrites` collects such a run and sends it:

- on **PostgreSQL** as one statement, a `WITH` of data-modifying statements: each new row's
  primary key is drawn from its table's sequence first (`nextval`, in a one-row `ids` part), so a
  row can name another row of the same run (an order its position, a position its opening
  order) without a read; the statement returns the new keys and, per UPDATE, how many rows it
  changed. Foreign keys are checked at COMMIT (Django creates them `DEFERRABLE INITIALLY
  DEFERRED`), as before.
- on **SQLite** (in-process, no round trip to save) one by one, exactly as `row_insert` and
  `row_update` send them: an insert whose link names a row of the run not inserted yet is
  written with NULL there and updated once that row exists (the statements the pipeline always
  sent).

Nothing else changes: the same rows, the same values (each field's `pre_save` and
`get_db_prep_save`, through egis.core.row_binds), the same transaction, the same checks (an UPDATE
must change exactly one row, else the model's DoesNotExist, as `row_update`). It is only a way
to send the writes: no rule moves into SQL. Every write of the run targets a different row
(PostgreSQL runs the parts of one statement on one snapshot: an UPDATE there cannot see a row
inserted by the same statement, so links to new rows are set at insert time instead).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, router
from django.db.models import Model

from egis.core.row_binds import _binds, _save_params
from egis.core.row_cursor import django_cursor
from egis.core.row_saves import row_insert, row_update
from egis.core.rows import (
    _check_no_save_signals,
    _check_plain_model,
    _column,
)

_JSON_KEY = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass
class _Step:
    obj: Model
    fields: tuple[str, ...] | None  # None: an insert of every column; else an UPDATE of these
    links: dict[str, Model] = field(default_factory=dict)  # FK attname -> a new row of the run
    # JSON field -> {key: new row of the run}: that key of the JSON object is the row's key.
    json_links: dict[str, dict[str, Model]] = field(default_factory=dict)


class RowWrites:
    """A run of inserts and updates, in order, for one transaction (see the module docstring).

    `insert(obj, links={"position_id": position})` makes `obj.position_id` the key of
    `position`, another insert of the same run (set once it has a key);
    `json_links={"after": {"closing_order_id": order}}` does the same for a key of a JSON object
    field (an event's snapshot naming a new order). `update(obj, fields, links=...)` is
    `row_update(obj, fields)`; a linked field must be listed in `fields`.
    `run()` sends the writes; afterwards every inserted object has its key and every linked
    field its value.
    """

    def __init__(self) -> None:
        self.steps: list[_Step] = []

    def insert(
        self,
        obj: Model,
        *,
        links: dict[str, Model] | None = None,
        json_links: dict[str, dict[str, Model]] | None = None,
    ) -> Model:
        if obj.pk is not None:
            raise ValueError(f"{type(obj).__name__} already has a primary key")
        for name, keys in (json_links or {}).items():
            if not isinstance(getattr(obj, name), dict):
                raise ValueError(f"{name} must hold a JSON object to link into")
            if not all(_JSON_KEY.fullmatch(key) for key in keys):
                raise ValueError(f"{name}: JSON keys to link must be plain names")
        self.steps.append(_Step(obj, None, dict(links or {}), dict(json_links or {})))
        return obj

    def update(
        self, obj: Model, fields: Sequence[str], *, links: dict[str, Model] | None = None
    ) -> None:
        chosen = tuple(fields)
        attnames = {obj._meta.get_field(name).attname for name in chosen}  # type: ignore[union-attr]
        for attname in links or {}:
            if attname not in attnames:
                raise ValueError(f"linked field {attname} is not among the updated fields")
        self.steps.append(_Step(obj, chosen, dict(links or {})))

    def run(self) -> None:
        if not self.steps:
            return
        model = type(self.steps[0].obj)
        alias = router.db_for_write(model, instance=self.steps[0].obj)
        connection = connections[alias]
        if connection.vendor == "postgresql" and len(self.steps) > 1:
            _run_combined(self.steps, alias, connection)
        else:
            _run_one_by_one(self.steps)
        self.steps = []


# While a run goes one by one, its number (else None): the statements sent meanwhile are the one
# statement PostgreSQL gets for that run. Read by tests that count round trips per order.
current_run: ContextVar[int | None] = ContextVar("egis_row_writes_run", default=None)
_run_numbers = itertools.count(1)


def _run_one_by_one(steps: list[_Step]) -> None:
    token = current_run.set(next(_run_numbers))
    try:
        _one_by_one(steps)
    finally:
        current_run.reset(token)


def _one_by_one(steps: list[_Step]) -> None:
    inserted: set[int] = set()
    pending: list[tuple[Model, str, Model]] = []  # (row, attname, target inserted later)
    for step in steps:
        for name, keys in step.json_links.items():
            for key, target in keys.items():
                if id(target) not in inserted:
                    raise ValueError(f"{name}.{key}: link a row inserted before this one")
                getattr(step.obj, name)[key] = target.pk
        for attname, target in step.links.items():
            if id(target) in inserted:
                setattr(step.obj, attname, target.pk)
            elif step.fields is None:
                setattr(step.obj, attname, None)
                pending.append((step.obj, attname, target))
            else:
                raise ValueError(f"{attname}: an UPDATE can only link a row inserted before it")
        if step.fields is None:
            row_insert(step.obj)
            inserted.add(id(step.obj))
        else:
            row_update(step.obj, list(step.fields))
        for row, attname, target in [p for p in pending if p[2] is step.obj]:
            setattr(row, attname, target.pk)
            row_update(row, [attname])
        pending = [p for p in pending if p[2] is not step.obj]
    if pending:
        raise ValueError("a link names a row that is not inserted by this run")


_INSERT_PARTS: dict[tuple[type[Model], str], tuple[str, str, list[Any]]] = {}


def _insert_parts(model: type[Model], alias: str) -> tuple[str, str, list[Any]]:
    """(sequence expression, 'INSERT INTO t (pk, cols) VALUES (', binds of cols), once per model."""
    key = (model, alias)
    parts = _INSERT_PARTS.get(key)
    if parts is None:
        _check_plain_model(model)
        connection = connections[alias]
        quote = connection.ops.quote_name
        meta = model._meta
        pk = meta.pk
        assert pk is not None
        fields = [f for f in meta.local_concrete_fields if f is not pk]
        table = quote(meta.db_table)
        # Built from the model's metadata only (table and column names): no input reaches it.
        sequence = f"nextval(pg_get_serial_sequence('{table}', '{pk.column}'))"
        head = (
            f"INSERT INTO {table} ({_column(pk, connection)}, "
            f"{', '.join(_column(f, connection) for f in fields)}) VALUES ("
        )
        parts = _INSERT_PARTS[key] = (sequence, head, _binds(fields))
    return parts


def _run_combined(steps: list[_Step], alias: str, connection: Any) -> None:
    sql, params, key_of, counted = combined_statement(steps, alias, connection)
    with django_cursor(connection) as cursor:
        cursor.execute(sql, params)
        (row,) = cursor.fetchall()
    new_keys = row[: len(key_of)]
    changed = row[len(key_of) :]
    for obj, count in zip(counted, changed, strict=True):
        if count != 1:
            model = type(obj)
            missing = f"{model.__name__} #{obj.pk}: {count} rows updated, expected 1"
            raise model.DoesNotExist(missing)  # type: ignore[attr-defined]
    drawn = dict(zip(key_of, new_keys, strict=True))
    for step in steps:
        if step.fields is None:
            step.obj.pk = drawn[id(step.obj)]
            step.obj._state.adding = False
            step.obj._state.db = alias
    for step in steps:
        for attname, target in step.links.items():
            setattr(step.obj, attname, target.pk)
        for name, json_keys in step.json_links.items():
            for key, target in json_keys.items():
                getattr(step.obj, name)[key] = target.pk


def combined_statement(
    steps: list[_Step], alias: str, connection: Any
) -> tuple[str, list[Any], dict[int, str], list[Model]]:
    """PostgreSQL's one statement for a run: (sql, params, the `ids` column of each new row by
    id(obj), the updated rows in the order their counts are returned after the new keys)."""
    quote = connection.ops.quote_name
    key_of: dict[int, str] = {}  # id(new row) -> its column in `ids`
    sequences: list[str] = []
    for step in steps:
        if step.fields is None:
            sequence, _, _ = _insert_parts(type(step.obj), alias)
            key_of[id(step.obj)] = f"k{len(sequences)}"
            sequences.append(f"{sequence} AS k{len(sequences)}")
    parts: list[str] = []
    params: list[Any] = []
    counted: list[tuple[Model, str]] = []
    for n, step in enumerate(steps):
        obj = step.obj
        model = type(obj)
        _check_no_save_signals(model)
        links = {attname: key_of.get(id(target)) for attname, target in step.links.items()}
        if None in links.values():
            raise ValueError("a link names a row that is not inserted by this run")
        if step.fields is None:
            _, head, binds = _insert_parts(model, alias)
        else:
            _check_plain_model(model)
            binds = _binds([model._meta.get_field(name) for name in step.fields])  # type: ignore[misc]
        linked_attnames = set(links)
        for bind in binds:
            if bind.attname in linked_attnames:
                setattr(obj, bind.attname, None)  # bound below as the new row's key
        values = _save_params(obj, binds, connection, add=step.fields is None)
        cells: list[str] = []
        for bind, value in zip(binds, values, strict=True):
            column = links.get(bind.attname)
            if column is not None:
                cells.append(f"(SELECT {column} FROM ids)")
                continue
            cell = "%s"
            for key, target in step.json_links.get(bind.attname, {}).items():
                # The JSON value as bound, with one key set to the new row's key (a number).
                new_key = f"(SELECT {key_of[id(target)]} FROM ids)"
                cell = f"jsonb_set({cell}, '{{{key}}}', to_jsonb({new_key}))"
            cells.append(cell)
            params.append(value)
        if step.fields is None:
            own = key_of[id(obj)]
            parts.append(f"w{n} AS ({head}(SELECT {own} FROM ids), {', '.join(cells)}))")
        else:
            assignments = ", ".join(
                f"{_column(bind.field, connection)} = {cell}"
                for bind, cell in zip(binds, cells, strict=True)
            )
            parts.append(
                f"w{n} AS (UPDATE {quote(model._meta.db_table)} SET {assignments} "
                f"WHERE {_column(model._meta.pk, connection)} = %s RETURNING 1)"
            )
            params.append(obj.pk)
            counted.append((obj, f"(SELECT count(*) FROM w{n})"))
    outputs = [column for column in key_of.values()] + [count for _, count in counted]
    sql = (
        f"WITH ids AS (SELECT {', '.join(sequences) or '1 AS k'}), {', '.join(parts)} "
        f"SELECT {', '.join(outputs) or '1'} FROM ids"
    )
    return sql, params, key_of, [obj for obj, _ in counted]
