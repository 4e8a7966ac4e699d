"""Django's SQLite backend, with writers queued at a gate instead of polling SQLite's lock.

SQLite lets one connection write at a time. A connection that finds the write lock taken is put
to sleep by SQLite's busy handler for 1, 2, 5, 10 ... 100 ms between attempts, whatever the lock
does meanwhile: under load the lock is often free while every writer sleeps, and an unlucky
writer's wait grows to hundreds of milliseconds (docs/BENCHMARKS.md, benchmark 6).

Here a writer first waits at the write gate (egis.core.sqlite_gate.gate: an exclusive `flock`
that the kernel hands to the next waiter as soon as it is released), and takes SQLite's lock
second. The gate is held from `BEGIN IMMEDIATE` to the end of the transaction, and around a row
statement that writes outside a transaction (egis.core.row_cursor).

The gate is advisory: SQLite's own lock still decides who writes. A writer that bypasses the
gate (an ORM save outside a transaction, another program) waits on SQLite's busy handler as
before, and is never blocked by the gate: a connection takes the gate only when it holds no
SQLite lock (before its BEGIN, or its single statement). So the gate changes how writers wait,
never what is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.backends.sqlite3 import base as sqlite_base

from egis.core.sqlite_gate.gate import WriteGate, gate_path

DEFAULT_BUSY_TIMEOUT_S = 5.0  # sqlite3.connect's default


class DatabaseWrapper(sqlite_base.DatabaseWrapper):
    _gate: WriteGate | None = None
    _gate_none = False  # an in-memory database: no gate

    def _write_gate(self) -> WriteGate | None:
        if self._gate is None and not self._gate_none:
            path = gate_path(self.settings_dict["NAME"])
            if path is None:
                self._gate_none = True
                return None
            limit = float(self.settings_dict["OPTIONS"].get("timeout", DEFAULT_BUSY_TIMEOUT_S))
            self._gate = WriteGate(path, limit_s=limit)
        return self._gate

    @contextmanager
    def gated(self) -> Iterator[None]:
        """Hold the gate around one statement that writes outside a transaction."""
        gate = self._write_gate()
        if gate is None or gate.held:
            yield
            return
        gate.enter()
        try:
            yield
        finally:
            gate.leave()

    def _gate_leave(self) -> None:
        if self._gate is not None:
            self._gate.leave()

    # --- where a write transaction starts and ends --------------------------------------------

    def _start_transaction_under_autocommit(self) -> None:
        gate = self._write_gate()
        if gate is not None:
            gate.enter()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in the stubs
        except BaseException:
            self._gate_leave()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # private in the stubs
        finally:
            self._gate_leave()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private in the stubs
        finally:
            self._gate_leave()

    def _set_autocommit(self, autocommit: bool) -> None:
        super()._set_autocommit(autocommit)  # type: ignore[misc]  # private in the stubs
        if autocommit:
            self._gate_leave()  # however the transaction ended, the gate is not kept

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private in the stubs
        finally:
            if self._gate is not None:
                gate, self._gate = self._gate, None
                gate.close()
