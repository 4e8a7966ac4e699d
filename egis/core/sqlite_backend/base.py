"""Django's SQLite backend, with every write through the writers' gate (egis.core.writer_gate).

What changes, and nothing else:
- a transaction (`atomic`, which begins `IMMEDIATE`, i.e. with SQLite's write lock) takes the
  gate before its BEGIN and leaves it once it has committed or rolled back;
- a write outside a transaction (INSERT, UPDATE, DELETE, REPLACE: a transaction of its own)
  takes the gate around its one statement, on Django's cursor and on the driver's cursor that
  egis.core.row_cursor uses for row statements alike;
- a closed connection leaves its gate.

`settings.SQLITE_ENGINE` names this module; a `sqlite:` DATABASE_URL resolves to it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.db.backends.sqlite3 import base as sqlite_base

from egis.core.writer_gate import WriterGate, gate_for, is_write


def _gate_to_take(connection: sqlite3.Connection, sql: str) -> WriterGate | None:
    """The gate a statement takes: a write outside a transaction only (a transaction took it at
    its BEGIN)."""
    gate: WriterGate | None = connection.egis_gate  # type: ignore[attr-defined]
    if gate is None or gate.held or connection.in_transaction or not is_write(sql):
        return None
    return gate


class GatedDriverCursor(sqlite3.Cursor):
    """The driver's cursor: a write outside a transaction goes through the gate."""

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        gate = _gate_to_take(self.connection, sql)
        if gate is None:
            return super().execute(sql, parameters)
        with gate:
            return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Any:
        gate = _gate_to_take(self.connection, sql)
        if gate is None:
            return super().executemany(sql, seq_of_parameters)
        with gate:
            return super().executemany(sql, seq_of_parameters)


class GatedCursorWrapper(sqlite_base.SQLiteCursorWrapper):
    """Django's SQLite cursor (the `%s` rewrite) on the same gate."""

    def execute(self, query: str, params: Any = None) -> Any:
        gate = _gate_to_take(self.connection, query)
        if gate is None:
            return super().execute(query, params)
        with gate:
            return super().execute(query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        gate = _gate_to_take(self.connection, query)
        if gate is None:
            return super().executemany(query, param_list)
        with gate:
            return super().executemany(query, param_list)


class GatedConnection(sqlite3.Connection):
    """The driver's connection, holding its gate; its cursors are gated ones by default."""

    egis_gate: WriterGate | None = None

    def cursor(self, factory: Any = GatedDriverCursor) -> Any:
        return super().cursor(factory)


class DatabaseWrapper(sqlite_base.DatabaseWrapper):
    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        params["factory"] = GatedConnection
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> GatedConnection:
        connection: GatedConnection = super().get_new_connection(conn_params)
        connection.egis_gate = gate_for(
            str(conn_params["database"]), timeout_s=float(conn_params.get("timeout", 5.0))
        )
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=GatedCursorWrapper)

    def _gate(self) -> WriterGate | None:
        return None if self.connection is None else self.connection.egis_gate

    def _start_transaction_under_autocommit(self) -> None:
        gate = self._gate()
        if gate is None or gate.held:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
            return
        with self.wrap_database_errors:
            gate.enter()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
        except BaseException:
            gate.leave()
            raise

    def _commit(self) -> None:
        # Left only once committed: a failed COMMIT leaves the transaction open (its rollback
        # leaves the gate).
        super()._commit()  # type: ignore[misc]  # not in django-stubs
        if (gate := self._gate()) is not None and not self.connection.in_transaction:
            gate.leave()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # not in django-stubs
        finally:
            if (gate := self._gate()) is not None:
                gate.leave()

    def _close(self) -> None:
        gate = self._gate()
        try:
            super()._close()  # type: ignore[misc]  # not in django-stubs
        finally:
            if gate is not None:
                gate.close()
