"""What `save()` runs, precompiled: `row_insert(obj)` and `row_update(obj, fields)` for the order
pipeline's hot path (egis.core.rows has the SELECTs and the rules every row statement keeps).

Each field's `pre_save` (auto_now, auto_now_add) and `get_db_prep_save` (the exact-decimal
scaling, JSON encoding) run as in `save()`, or the one conversion that chain ends in for the value
at hand (egis.core.row_binds). Each statement is built once per model (and fields) and database
alias. Models with save signals, parents or database defaults are refused: those need the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Model
from django.db.models.fields import Field

from egis.core.row_binds import _Bind, _binds, _save_params
from egis.core.row_cursor import LASTROWID, ROWCOUNT, ROWS, run
from egis.core.rows import (
    RowStatementError,
    _check_no_save_signals,
    _check_plain_model,
    _column,
    _qmark,
)

M = TypeVar("M", bound=Model)


_INSERT_SQL: dict[tuple[type[Model], str], tuple[str, str | None, list[_Bind], bool]] = {}


def _insert_plan(model: type[Model], alias: str) -> tuple[str, str | None, list[_Bind], bool]:
    key = (model, alias)
    plan = _INSERT_SQL.get(key)
    if plan is None:
        _check_plain_model(model)
        connection = connections[alias]
        quote = connection.ops.quote_name
        meta = model._meta
        pk = meta.pk
        assert pk is not None
        fields: list[Field[Any, Any]] = [f for f in meta.local_concrete_fields if f is not pk]
        returning = bool(connection.features.can_return_columns_from_insert)
        columns = ", ".join(_column(f, connection) for f in fields)
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        if returning:
            sql += f" RETURNING {_column(pk, connection)}"
        plan = _INSERT_SQL[key] = (sql, _qmark(sql, connection), _binds(fields), returning)
    return plan


def row_insert(obj: M) -> M:
    """INSERT one new row (its primary key assigned by the database) and mark `obj` saved."""
    model = type(obj)
    if obj.pk is not None:
        raise RowStatementError(f"{model.__name__} already has a primary key: use row_update")
    alias = router.db_for_write(model, instance=obj)
    sql, sql_qmark, fields, returning = _insert_plan(model, alias)
    _check_no_save_signals(model)
    connection = connections[alias]
    params = _save_params(obj, fields, connection, add=True)
    if returning:
        ((pk,),) = run(connection, sql, sql_qmark, params, ROWS)
    else:
        pk = run(connection, sql, sql_qmark, params, LASTROWID)
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = alias
    return obj


_UPDATE_SQL: dict[
    tuple[type[Model], str, tuple[str, ...]], tuple[str, str | None, list[_Bind]]
] = {}


def row_update(obj: Model, fields: Sequence[str]) -> None:
    """`save(update_fields=fields)` without the rebuild: exactly one row must change."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    key = (model, alias, tuple(fields))
    plan = _UPDATE_SQL.get(key)
    if plan is None:
        _check_plain_model(model)
        connection = connections[alias]
        quote = connection.ops.quote_name
        meta = model._meta
        chosen: list[Field[Any, Any]] = [meta.get_field(name) for name in fields]  # type: ignore[misc]
        assignments = ", ".join(f"{_column(f, connection)} = %s" for f in chosen)
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {assignments} "
            f"WHERE {_column(meta.pk, connection)} = %s"
        )
        plan = _UPDATE_SQL[key] = (sql, _qmark(sql, connection), _binds(chosen))
    sql, sql_qmark, chosen_fields = plan
    _check_no_save_signals(model)
    connection = connections[alias]
    params = _save_params(obj, chosen_fields, connection, add=False)
    params.append(obj.pk)
    changed = run(connection, sql, sql_qmark, params, ROWCOUNT)
    if changed != 1:
        missing = f"{model.__name__} #{obj.pk}: {changed} rows updated, expected 1"
        raise model.DoesNotExist(missing)  # type: ignore[attr-defined]
