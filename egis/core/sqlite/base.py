"""Django's SQLite backend, with the threads of one process taking turns for the write lock.

SQLite has one write lock per database. A writer that finds it taken sleeps in SQLite's busy
handler, 1, 2, 5, 10, 15, 20, 25 ... 100 ms at a time, and tries again, while Egis's write
transactions hold the lock for about a millisecond. The worker runs four threads: measured in
process, with four threads executing signals, a signal's claim (one UPDATE) waited 11-16 ms in
that handler, against 0.3 ms with one thread (docs/BENCHMARKS.md, benchmark 6).

Here every transaction (`BEGIN IMMEDIATE`, which takes the write lock at once) first takes this
process's gate for that database file, a plain lock: a thread waiting for it is woken the moment
the holder commits or rolls back. Processes still meet at SQLite's own lock and busy handler.
The gate is given up at commit, rollback and close, whatever they raise. Waiting for it is
bounded by the same `timeout` as SQLite's busy handler, after which "database is locked" is
raised as SQLite would.

A write outside a transaction (one statement, atomic alone: a signal's claim and finish) takes
the same gate when it runs through `write_gate` (egis.core.row_set does). Reads never take it:
in WAL mode a read never waits for the write lock.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import OperationalError, connections
from django.db.backends.sqlite3 import base

_GATES: dict[str, threading.Lock] = {}
_GATES_LOCK = threading.Lock()


def gate_for(name: str) -> threading.Lock:
    """The process's one gate for the database file `name`."""
    with _GATES_LOCK:
        gate = _GATES.get(name)
        if gate is None:
            gate = _GATES[name] = threading.Lock()
        return gate


class DatabaseWrapper(base.DatabaseWrapper):
    _egis_gate: threading.Lock | None = None

    def _gate_wait_s(self) -> float:
        return float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))

    def _take_gate(self) -> None:
        gate = gate_for(str(self.settings_dict["NAME"]))
        if not gate.acquire(timeout=self._gate_wait_s()):
            raise OperationalError("database is locked (waited for this process's write gate)")
        self._egis_gate = gate

    def _give_gate(self) -> None:
        gate, self._egis_gate = self._egis_gate, None
        if gate is not None:
            gate.release()

    def _start_transaction_under_autocommit(self) -> None:
        if self._egis_gate is None:
            self._take_gate()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._give_gate()
            raise

    def _commit(self) -> Any:
        try:
            return super()._commit()  # type: ignore[misc]
        finally:
            self._give_gate()

    def _rollback(self) -> Any:
        try:
            return super()._rollback()  # type: ignore[misc]
        finally:
            self._give_gate()

    def _close(self) -> Any:
        try:
            return super()._close()  # type: ignore[misc]
        finally:
            self._give_gate()


@contextmanager
def write_gate(connection: Any) -> Iterator[None]:
    """Around one write statement run outside a transaction: this process's gate for the
    database, as a transaction takes it. A no-op inside a transaction (the gate is held, on
    SQLite) and on other databases."""
    wrapper = connections[connection.alias]  # the wrapper itself, not django.db.connection's proxy
    if not isinstance(wrapper, DatabaseWrapper) or wrapper.in_atomic_block:
        yield
        return
    wrapper._take_gate()
    try:
        yield
    finally:
        wrapper._give_gate()
