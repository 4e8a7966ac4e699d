"""The task queue's SQLite file with `synchronous=NORMAL`, as the main database and the webhook
throttle's file already are (Huey's own option offers only FULL or OFF).

Under Huey's default (FULL) every enqueue and every dequeue fsynced the write-ahead log: a
signal's wake-up cost about 0.3 ms of CPU and 3-5 ms of wall time on the web side, one at a time
across every process (docs/BENCHMARKS.md, benchmark 6); with NORMAL, 0.05 ms and 0.2 ms. In WAL
mode NORMAL keeps every committed task through a crash or SIGKILL of any process; only an
operating-system crash or power loss can lose the last commits before a checkpoint, and every
task here is a wake-up that a periodic sweep repeats within a minute (signals, notifications,
exits, recovery), the rows they act on living in the main database.
"""

from __future__ import annotations

import sqlite3

from huey import SqliteHuey
from huey.storage import SqliteStorage


class NormalSyncSqliteStorage(SqliteStorage):
    def _create_connection(self) -> sqlite3.Connection:
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


class SqliteQueue(SqliteHuey):
    """`settings.HUEY["huey_class"]`: Huey on SQLite, its file in WAL with synchronous=NORMAL."""

    storage_class = NormalSyncSqliteStorage
