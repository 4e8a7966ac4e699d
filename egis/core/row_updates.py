"""`QuerySet.filter(...).update(...)` as a precompiled statement, for compare-and-set writes.

A claim or a state change written as `Model.objects.filter(pk=.., status=..).update(..)`
rebuilds its query on every call: about 1 ms of Python for one UPDATE on SQLite, where the row
statements of egis.core.rows take a few µs. `RowUpdate(Model, fields, where)` is that UPDATE,
built once per database alias:

    UPDATE <table> SET <field> = %s, ... WHERE <where>

`run(values, *params)` binds `values` (one per field, in order) as `update()` binds them (each
field's `get_db_prep_save`, through egis.core.row_binds; no `pre_save`, so `auto_now` is not
applied, as `update()` does not) and the `where` parameters under the rules of egis.core.rows
(int, str or bool only, an out-of-range int matches no row), and returns how many rows changed,
as `update()` does. As `update()`, an error inside an atomic block marks it for rollback; the
statement reaches the database through egis.core.row_cursor. Values must be plain values (no
expressions, no model instances: name a foreign key by its attname and give the key).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model

from egis.core.row_binds import _Bind, _bind_values, _binds
from egis.core.row_cursor import ROWCOUNT, run
from egis.core.rows import RowStatementError, _check_params, _column, _qmark


class RowUpdate:
    """`UPDATE <table> SET <fields> WHERE <where>`, returning the number of rows changed."""

    def __init__(self, model: type[Model], fields: Sequence[str], where: str) -> None:
        meta = model._meta
        if meta.parents:
            raise RowStatementError(f"{model.__name__} has parent models: use the ORM")
        self.model = model
        self.fields = [meta.get_field(name) for name in fields]
        for field in self.fields:
            if not getattr(field, "concrete", False) or field.many_to_many:
                raise RowStatementError(f"{model.__name__}.{field.name} is not a column")
        self.where = where
        self._compiled: dict[str, tuple[str, str | None, list[_Bind]]] = {}

    def _compile(self, alias: str) -> tuple[str, str | None, list[_Bind]]:
        compiled = self._compiled.get(alias)
        if compiled is None:
            connection = connections[alias]
            assignments = ", ".join(f"{_column(f, connection)} = %s" for f in self.fields)
            quote = connection.ops.quote_name
            # Column and table names from the model's metadata; `where` is the caller's constant.
            sql = f"UPDATE {quote(self.model._meta.db_table)} SET {assignments} WHERE {self.where}"
            binds = _binds(self.fields)  # type: ignore[arg-type]
            compiled = self._compiled[alias] = (sql, _qmark(sql, connection), binds)
        return compiled

    def sql(self, alias: str = "default") -> str:
        return self._compile(alias)[0]

    def run(self, values: Sequence[Any], *params: Any) -> int:
        """Set the fields to `values` in the rows `where` selects with `params`; how many."""
        alias = router.db_for_write(self.model)
        sql, sql_qmark, binds = self._compile(alias)
        if len(values) != len(binds):
            raise RowStatementError(f"{len(binds)} values expected, {len(values)} given")
        for bind, value in zip(binds, values, strict=True):
            if hasattr(value, "resolve_expression") or hasattr(value, "prepare_database_save"):
                raise RowStatementError(f"{bind.field.name}: plain values only, use the ORM")
        connection = connections[alias]
        bound = _bind_values(binds, values, connection)
        where = _check_params(params)
        if where is None:
            return 0
        with transaction.mark_for_rollback_on_error(using=alias):
            changed: int = run(connection, sql, sql_qmark, [*bound, *where], ROWCOUNT)
        return changed
