"""Counters in a small SQLite file of their own, atomic across every process and thread of a host.

Django's file cache cannot count: its `incr` is a read, then a write of a temporary file and a
rename, so two processes (or two threads) that count at once both read N and both write N + 1,
and one count is lost. Every count here is one SQL statement (`INSERT … ON CONFLICT DO UPDATE …
RETURNING`) on this file, which SQLite runs under its write lock: none is lost, whoever counts.
About 0.1 ms each (WAL, `synchronous=NORMAL`), never in the way of the main database's lock.

The file is `hook-throttle.sqlite3` in the data folder (its name from when only the webhook
throttle counted here). Two tables: `hook_rate` (egis.signals.throttle, per clock minute) and
`window_count` (egis.core.window_counter: counts whose window the first count opens).

The file locked past its busy timeout (another process's long write) or read-only raises
Django's `OperationalError`, as the main database does: every edge's one "database busy" answer
(503) handles it, not a raw `sqlite3.OperationalError` that none of them knows.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import OperationalError

FILE_NAME = "hook-throttle.sqlite3"
BUSY_TIMEOUT_S = 5

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS hook_rate "
    "(key TEXT PRIMARY KEY, minute INTEGER NOT NULL, n INTEGER NOT NULL)",
    # until: the unix time the key's window ends; NULL for a count without end.
    "CREATE TABLE IF NOT EXISTS window_count "
    "(key TEXT PRIMARY KEY, n INTEGER NOT NULL, until REAL)",
)


class _Connections(threading.local):
    conn: sqlite3.Connection | None = None
    path: str = ""
    pid: int = 0


_connections = _Connections()


def _open(path: str) -> sqlite3.Connection:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    # Switching a new file to WAL can meet another process doing the same (a lock upgrade the
    # busy timeout does not wait for): try again for a moment.
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    conn.execute("PRAGMA synchronous=NORMAL")
    for statement in _SCHEMA:
        conn.execute(statement)
    return conn


def _connection() -> sqlite3.Connection:
    """This thread's connection to the counter file of the current data folder."""
    path = os.path.join(settings.DATA_DIR, FILE_NAME)  # (pathlib cost more than a count)
    pid = os.getpid()
    if _connections.conn is not None and _connections.path == path and _connections.pid == pid:
        return _connections.conn
    if _connections.conn is not None and _connections.pid == pid:
        _connections.conn.close()  # (a connection inherited through fork is left alone, unused)
    conn = _open(path)
    _connections.conn, _connections.path, _connections.pid = conn, path, pid
    return conn


@contextmanager
def counter_db() -> Iterator[sqlite3.Connection]:
    """The counter file's connection; its "locked" or "read-only" raised as Django's
    OperationalError (a busy database, answered 503 by every edge)."""
    try:
        yield _connection()
    except sqlite3.OperationalError as exc:
        raise OperationalError(f"the counter file {FILE_NAME}: {exc}") from exc
