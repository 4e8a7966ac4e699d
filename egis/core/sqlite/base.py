"""Django's SQLite backend, waiting for the write lock in short steps instead of SQLite's own.

SQLite's busy handler (what `timeout` sets) retries a locked write after sleeping 1, 2, 5, 10,
15, 20, 25, 25, 25, 50, 50 and then 100 ms at a time. Egis's write transactions hold the lock for
about a millisecond, so a writer that met the lock a few times sleeps tens of milliseconds while
the lock is free most of that time: under the webhook load (benchmark 6, docs/BENCHMARKS.md) the
answers waited in those sleeps with part of the CPU idle.

Here the connection's own busy timeout is 0 once it is open, and a statement that finds the
database locked is tried again after 0.25 ms, doubling to at most 2 ms, until the same `timeout`
(seconds) has passed; then the "database is locked" error is raised as before.

Only what runs outside a transaction is tried again: `BEGIN IMMEDIATE` (every atomic block takes
the write lock there) and autocommit statements. A locked statement has had no effect, so trying
it again is safe. Inside a transaction that holds the write lock (WAL mode) no statement meets a
locked database; an error there is raised at once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.backends.sqlite3 import base

T = TypeVar("T")

FIRST_PAUSE_S = 0.00025
LONGEST_PAUSE_S = 0.002


def _locked(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED))
    return "database is locked" in str(exc)


def wait_for_lock(call: Callable[[], T], wait_s: float) -> T:
    """`call()`, tried again while the database is locked, for at most `wait_s` seconds."""
    deadline = 0.0
    pause = FIRST_PAUSE_S
    while True:
        try:
            return call()
        except sqlite3.OperationalError as exc:
            if not _locked(exc):
                raise
            now = time.monotonic()
            if not deadline:
                deadline = now + wait_s
            if now >= deadline:
                raise
            time.sleep(min(pause, deadline - now))
            pause = min(pause * 2, LONGEST_PAUSE_S)


class WaitingCursor(base.SQLiteCursorWrapper):
    wait_s: float = 0.0

    def execute(self, query: str, params: Any = None) -> Any:
        if self.connection.in_transaction:
            return super().execute(query, params)
        return wait_for_lock(lambda: super(WaitingCursor, self).execute(query, params), self.wait_s)

    def executemany(self, query: str, param_list: Any) -> Any:
        if self.connection.in_transaction:
            return super().executemany(query, param_list)
        rows = list(param_list)  # tried again from the start: a generator would be spent
        return wait_for_lock(
            lambda: super(WaitingCursor, self).executemany(query, rows), self.wait_s
        )


class DatabaseWrapper(base.DatabaseWrapper):
    lock_wait_s: float = 5.0

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        self.lock_wait_s = float(params.get("timeout", self.lock_wait_s))
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> sqlite3.Connection:
        # Connecting and its PRAGMAs (journal_mode=WAL) wait SQLite's own way; from then on
        # a locked database is waited for here, in short steps.
        conn: sqlite3.Connection = super().get_new_connection(conn_params)
        conn.execute("PRAGMA busy_timeout = 0")
        return conn

    def create_cursor(self, name: str | None = None) -> WaitingCursor:
        cursor: WaitingCursor = self.connection.cursor(factory=WaitingCursor)
        cursor.wait_s = self.lock_wait_s
        return cursor
