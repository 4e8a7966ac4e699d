"""Precompiled row statements for the order pipeline's hot path.

Django's ORM rebuilds every statement from a QuerySet on every call: about 150 µs of Python for a
primary-key lookup that SQLite answers in 6 µs. The order pipeline runs about twenty statements
per order, so that rebuild, not the database, capped it near 300 orders/s (docs/BENCHMARKS.md).

What is here does the same work as the ORM calls it replaces, minus the rebuild:

- `RowQuery(Model, where)`: a SELECT of a model's columns. The SQL text is built once per
  database alias from the model's metadata; rows go through the fields' own converters and
  `Model.from_db` (or its exact equivalent without `Model.__init__`, egis.core.row_build),
  exactly as a QuerySet's rows do. `lock=True` adds `FOR UPDATE` where the database has it
  (PostgreSQL), `no_key=True` makes it `FOR NO KEY UPDATE` (as `select_for_update(no_key=True)`);
  on SQLite the pipeline's `BEGIN IMMEDIATE` already holds the write lock. A locking read outside
  a transaction is refused, as select_for_update does. `fields` reads a subset of the columns
  (the rest deferred, as `only()`), always with the primary key.
- `RowPair(Model, fk, where)`: a row and the row its foreign key names, in one SELECT.
- `RowSum(Model, field, where)`: `SUM(field)` converted by that field (scaled integers stay exact).
- `row_insert(obj)` / `row_update(obj, fields)` (egis.core.row_saves): what `save()` runs, with
  each field's `pre_save` (auto_now, auto_now_add) and `get_db_prep_save` (the exact-decimal
  scaling, JSON encoding), or the one conversion that chain ends in for the value at hand
  (egis.core.row_binds).
- `RowUpdate(Model, fields, where)` (egis.core.row_updates): `filter(...).update(...)` for a
  compare-and-set, returning the count.

Every statement runs in Django's connection and transaction state, and goes through Django's
cursor whenever something may watch it (query logging, test query counters, `execute_wrappers`);
otherwise, on SQLite, through the driver's cursor with Django's error classes
(egis.core.row_cursor). The `where` fragments are conjunctions of equalities (and IS NULL
tests) written with column names and `%s` placeholders only; parameters must be int, str or bool,
never a Decimal or float, because a money column compares in scaled units that only the field
knows. An int no 64-bit column can hold therefore matches no row: the statement is not sent
(as the ORM's lookups answer empty instead of overflowing the driver). Models with save signals,
parents or database defaults are refused: those need the ORM's full save.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, signals
from django.db.models.fields import Field

from egis.core.row_build import build, builder
from egis.core.row_cursor import ROWS, fast_capable, qmark, run

M = TypeVar("M", bound=Model)
N = TypeVar("N", bound=Model)

_PARAM_TYPES = (int, str, bool)
_INT64 = range(-(2**63), 2**63)
Converter = Callable[[Any, Any, Any], Any]


class RowStatementError(TypeError):
    """A row statement was misused: a parameter type it cannot bind safely, or a model it
    cannot save without the ORM."""


def _check_params(params: Sequence[Any]) -> tuple[Any, ...] | None:
    """The parameters to bind, or None when one of them can match no row (an out-of-range int)."""
    for value in params:
        if not isinstance(value, _PARAM_TYPES):
            raise RowStatementError(
                f"row statement parameters must be int, str or bool, not {type(value).__name__}"
            )
        if isinstance(value, int) and value not in _INT64:
            return None
    return tuple(params)


def _check_plain_model(model: type[Model]) -> None:
    meta = model._meta
    if meta.parents:
        raise RowStatementError(f"{model.__name__} has parent models: use the ORM")
    for field in meta.concrete_fields:
        if getattr(field, "generated", False) or field.has_db_default():
            raise RowStatementError(f"{model.__name__}.{field.name} is computed by the database")
    _check_no_save_signals(model)


def _check_no_save_signals(model: type[Model]) -> None:
    # Checked on every write (a cached lookup): a receiver connected later is never skipped.
    for signal in (signals.pre_save, signals.post_save):
        if signal.receivers and signal.has_listeners(model):
            raise RowStatementError(f"{model.__name__} has save signal receivers: use the ORM")


def _column(field: Any, connection: Any) -> str:
    column = field.column
    assert isinstance(column, str), field
    quoted: str = connection.ops.quote_name(column)
    return quoted


def _converters(field: Field[Any, Any], connection: Any) -> list[Converter]:
    col = field.get_col(field.model._meta.db_table)
    found: list[Converter] = [
        *connection.ops.get_db_converters(col),
        *col.get_db_converters(connection),
    ]
    return found


def _qmark(sql: str, connection: Any) -> str | None:
    """The statement's `?` form where the driver's cursor may run it (egis.core.row_cursor)."""
    return qmark(sql) if fast_capable(connection) else None


class _Compiled:
    __slots__ = ("attnames", "converters", "qmark", "sql")

    def __init__(
        self, sql: str, qmark: str | None, attnames: list[str], converters: list[list[Converter]]
    ) -> None:
        self.sql = sql
        self.qmark = qmark
        self.attnames = attnames
        # Only the columns that have converters, by position: most columns need none.
        self.converters = [(i, found) for i, found in enumerate(converters) if found]

    def convert(self, row: Sequence[Any], connection: Any) -> list[Any]:
        values = list(row)
        for i, converters in self.converters:
            value = values[i]
            for convert in converters:
                value = convert(value, None, connection)
            values[i] = value
        return values


class _Select(Generic[M]):
    """What the SELECTs share: SQL built once per alias, the lock rule, bound parameters, rows."""

    def __init__(self, model: type[M], where: str, *, lock: bool, no_key: bool = False) -> None:
        self.model = model
        self.where = where
        self.lock = lock or no_key
        self.no_key = no_key
        self._compiled: dict[str, _Compiled] = {}

    def _build(self, connection: Any) -> tuple[str, list[Field[Any, Any]]]:
        """The statement without its lock clause, and the fields of its columns in order."""
        raise NotImplementedError

    def _compile(self, alias: str) -> _Compiled:
        compiled = self._compiled.get(alias)
        if compiled is None:
            connection = connections[alias]
            sql, fields = self._build(connection)
            if self.lock and connection.features.has_select_for_update:
                no_key = self.no_key and connection.features.has_select_for_no_key_update
                sql += " FOR NO KEY UPDATE" if no_key else " FOR UPDATE"
            compiled = _Compiled(
                sql,
                _qmark(sql, connection),
                [f.attname for f in fields],
                [_converters(f, connection) for f in fields],
            )
            self._compiled[alias] = compiled
        return compiled

    def sql(self, alias: str = "default") -> str:
        return self._compile(alias).sql

    def _fetch(self, params: Sequence[Any]) -> tuple[str, Any, _Compiled, list[Any]]:
        """(alias, connection, compiled, rows); no rows, unsent, when a parameter matches none."""
        alias = router.db_for_read(self.model)
        compiled = self._compile(alias)
        connection = connections[alias]
        if self.lock and not connection.in_atomic_block:
            # As the ORM's select_for_update: a row lock outside a transaction locks nothing.
            raise RowStatementError(f"{self.model.__name__}: a locking read needs a transaction")
        bound = _check_params(params)
        if bound is None:
            return alias, connection, compiled, []
        rows = run(connection, compiled.sql, compiled.qmark, bound, ROWS)
        return alias, connection, compiled, rows

    def _single(self, rows: list[Any]) -> Any:
        if len(rows) > 1:
            many = f"{self.model.__name__} WHERE {self.where}: {len(rows)} rows, expected one"
            raise self.model.MultipleObjectsReturned(many)  # type: ignore[attr-defined]
        return rows[0] if rows else None


class RowQuery(_Select[M]):
    """`SELECT <columns> FROM <table> WHERE <where> [ORDER BY ..] [LIMIT n] [FOR UPDATE]`."""

    def __init__(
        self,
        model: type[M],
        where: str,
        *,
        fields: Sequence[str] | None = None,
        order_by: str = "",
        limit: int | None = None,
        lock: bool = False,
        no_key: bool = False,
    ) -> None:
        super().__init__(model, where, lock=lock, no_key=no_key)
        self.field_names = tuple(fields) if fields else None
        self.order_by = order_by
        self.limit = limit

    def _fields(self) -> list[Field[Any, Any]]:
        meta = self.model._meta
        if self.field_names is None:
            return list(meta.concrete_fields)
        chosen = {meta.get_field(name) for name in self.field_names} | {meta.pk}
        # In the model's order: Model.from_db maps a subset of values to fields in that order.
        return [f for f in meta.concrete_fields if f in chosen]

    def _build(self, connection: Any) -> tuple[str, list[Field[Any, Any]]]:
        fields = self._fields()
        sql = (
            f"SELECT {', '.join(_column(f, connection) for f in fields)} "
            f"FROM {connection.ops.quote_name(self.model._meta.db_table)} WHERE {self.where}"
        )
        if self.order_by:
            sql += f" ORDER BY {self.order_by}"
        if self.limit is not None:
            sql += f" LIMIT {int(self.limit)}"
        return sql, fields

    def all(self, *params: Any) -> list[M]:
        alias, connection, compiled, rows = self._fetch(params)
        if not rows:
            return []
        model, names, plan = self.model, compiled.attnames, builder(self.model)
        return [build(plan, model, alias, names, compiled.convert(row, connection)) for row in rows]

    def one(self, *params: Any) -> M | None:
        """The single row a unique filter selects, or None. More than one row is a bug here."""
        found: M | None = self._single(self.all(*params))
        return found


class RowPair(_Select[M], Generic[M, N]):
    """One row of a model with the row its foreign key points to, in one statement:
    `SELECT a.*, b.* FROM <a> a JOIN <b> b ON b.<pk> = a.<fk> WHERE <where> [FOR UPDATE]`.
    The `where` names the tables `a` and `b`. With `lock`, both rows are locked (PostgreSQL)."""

    def __init__(self, model: type[M], fk: str, where: str, *, lock: bool = False) -> None:
        super().__init__(model, where, lock=lock)
        self.fk = model._meta.get_field(fk)
        self.target: type[N] = self.fk.related_model  # type: ignore[assignment]

    def _build(self, connection: Any) -> tuple[str, list[Field[Any, Any]]]:
        quote = connection.ops.quote_name
        a_fields = list(self.model._meta.concrete_fields)
        b_fields = list(self.target._meta.concrete_fields)
        columns = [f"a.{_column(f, connection)}" for f in a_fields]
        columns += [f"b.{_column(f, connection)}" for f in b_fields]
        sql = (
            f"SELECT {', '.join(columns)} FROM {quote(self.model._meta.db_table)} a "
            f"JOIN {quote(self.target._meta.db_table)} b "
            f"ON b.{_column(self.target._meta.pk, connection)} = a.{_column(self.fk, connection)} "
            f"WHERE {self.where}"
        )
        return sql, [*a_fields, *b_fields]

    def one(self, *params: Any) -> tuple[M, N] | None:
        alias, connection, compiled, rows = self._fetch(params)
        row = self._single(rows)
        if row is None:
            return None
        return self.pair(alias, compiled.attnames, compiled.convert(row, connection))

    def pair(self, alias: str, names: Sequence[str], values: Sequence[Any]) -> tuple[M, N]:
        """The two instances of one row's converted values (the first model's columns first)."""
        split = len(self.model._meta.concrete_fields)
        first = build(builder(self.model), self.model, alias, names[:split], values[:split])
        second = build(builder(self.target), self.target, alias, names[split:], values[split:])
        return first, second


class RowSum(_Select[Model]):
    """`SELECT SUM(<field>) FROM <table> WHERE <where>`, converted by the field: None if no rows.

    `sqlite_index` names an index of the model for SQLite to use (`INDEXED BY`): its planner,
    with or without ANALYZE, prefers a wider index over a partial covering one that answers
    from the index alone. SQLite refuses the statement if that index is gone or cannot serve it,
    so a hint never silently stops working. Other databases plan on their own.

    `also` adds more sums to the same statement: SQL expressions over the table's columns
    (written like `where`), each summed as `SUM(<expression>)` and returned unconverted as an
    int (or None) by `sums()`, after the converted field sum.
    """

    def __init__(
        self,
        model: type[Model],
        field: str,
        where: str,
        *,
        sqlite_index: str = "",
        also: Sequence[str] = (),
    ) -> None:
        super().__init__(model, where, lock=False)
        self.field = model._meta.get_field(field)
        if sqlite_index and sqlite_index not in {i.name for i in model._meta.indexes}:
            raise RowStatementError(f"{model.__name__} has no index {sqlite_index!r}")
        self.sqlite_index = sqlite_index
        self.also = tuple(also)

    def _build(self, connection: Any) -> tuple[str, list[Field[Any, Any]]]:
        table = connection.ops.quote_name(self.model._meta.db_table)
        if self.sqlite_index and connection.vendor == "sqlite":
            table += f" INDEXED BY {connection.ops.quote_name(self.sqlite_index)}"
        columns = [f"SUM({_column(self.field, connection)})"]
        columns += [f"SUM({expression})" for expression in self.also]
        sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {self.where}"
        return sql, [self.field]  # type: ignore[list-item]

    def value(self, *params: Any) -> Any:
        return self.sums(*params)[0]

    def sums(self, *params: Any) -> tuple[Any, ...]:
        """The field's sum (converted by the field) then each `also` sum (an int); None for a
        sum over no rows."""
        _, connection, compiled, rows = self._fetch(params)
        if not rows or rows[0][0] is None:
            return (None,) * (1 + len(self.also))
        first = compiled.convert(rows[0], connection)[0]
        # PostgreSQL's SUM of a bigint is a numeric (a Decimal here); SQLite's is an int.
        extra = tuple(None if v is None else int(v) for v in rows[0][1:])
        return (first, *extra)
