"""Webhook throttling, counted in Django's shared cache like the login throttle.

- Per hook id (every request, known hook or not, so the answer tells nothing):
  `EGIS_HOOK_MAX_PER_MINUTE` requests per minute.
- Per address (failed authentications only): after `EGIS_HOOK_MAX_FAILURES_PER_ADDRESS` within
  `EGIS_HOOK_FAILURE_WINDOW_S`, every further *failed* request from that address is answered
  429 instead of 404 until the window ends. A request that authenticates is never refused for
  its address: TradingView posts every user's alerts from a few shared addresses, and behind a
  proxy every request may carry the proxy's, so one user's wrong secret (or a stranger's
  guesses) must not stop another user's signals. Guessing gains nothing from this: a hook id
  and its secret are random (egis.signals.hooks), far beyond any number of tries.
Keys are hashed: no hook id or address appears in a cache file name.

The per-hook count is bumped on every request, so it is not kept in Django's file cache (each
bump there is a read, a temporary file and a rename, measured at 2-4 ms on a loaded disk, and
its `incr` is a read-then-write that two processes can interleave). It lives in a small SQLite
file of its own next to the task queue's (`hook-throttle.sqlite3` in the data folder; WAL): one
upsert per request, atomic across every process and thread, about 0.1 ms, and never in the way
of the main database's write lock. Rows of past minutes are pruned as it goes.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import OperationalError

from egis.core.window_counter import window_bump, window_seconds_left

COUNTER_FILE_NAME = "hook-throttle.sqlite3"
PRUNE_EVERY = 1000  # bumps per process between two prunings of past minutes


class Throttled(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too many requests")
        self.retry_after_s = retry_after_s
        # The failed authentication this answers, when it is one past its address's limit
        # (egis.signals.services): still counted on the hook it named, for its owner.
        self.refused: Any = None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()[:32]


def _bump(key: str, timeout: int) -> int:
    return window_bump(key, timeout)


def _failures_key(address: str) -> str:
    return f"egis:hook:fail:{_digest(address)}"


class _Counters(threading.local):
    conn: sqlite3.Connection | None = None
    path: str = ""
    pid: int = 0
    bumps: int = 0


_counters = _Counters()


def _counter_db() -> sqlite3.Connection:
    """This thread's connection to the counter file of the current data folder."""
    path = os.path.join(settings.DATA_DIR, COUNTER_FILE_NAME)  # (pathlib cost more than the bump)
    pid = os.getpid()
    if _counters.conn is not None and _counters.path == path and _counters.pid == pid:
        return _counters.conn
    if _counters.conn is not None and _counters.pid == pid:
        _counters.conn.close()  # (a connection inherited through fork is left alone, unused)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
    # Switching a new file to WAL can meet another process doing the same (a lock upgrade the
    # busy timeout does not wait for): try again for a moment.
    deadline = time.monotonic() + 5
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS hook_rate "
        "(key TEXT PRIMARY KEY, minute INTEGER NOT NULL, n INTEGER NOT NULL)"
    )
    _counters.conn, _counters.path, _counters.pid, _counters.bumps = conn, path, pid, 0
    return conn


def _bump_minute(key: str, minute: int) -> int:
    """Count one request for `key` in `minute` (a new minute starts again at 1): atomic, one
    statement, whichever process or thread bumps.

    The file locked past its busy timeout (another process's long write) or read-only raises
    Django's OperationalError, as the main database does: the edges' one "database busy"
    handling answers it (503 on the webhook), not a raw sqlite3 error that none of them knows."""
    try:
        conn = _counter_db()
        row = conn.execute(
            "INSERT INTO hook_rate (key, minute, n) VALUES (?, ?, 1) ON CONFLICT(key) DO UPDATE "
            "SET n = CASE WHEN minute = excluded.minute THEN n + 1 ELSE 1 END, "
            "minute = excluded.minute RETURNING n",
            (key, minute),
        ).fetchone()
        _counters.bumps += 1
        if _counters.bumps % PRUNE_EVERY == 0:
            conn.execute("DELETE FROM hook_rate WHERE minute < ?", (minute - 1,))
    except sqlite3.OperationalError as exc:
        raise OperationalError(f"the webhook throttle's counter file: {exc}") from exc
    return int(row[0])


def reset() -> None:
    """Forget every per-hook count (tests, and an operator who wants a clean start)."""
    _counter_db().execute("DELETE FROM hook_rate")


def check(*, hook_id: str) -> None:
    """Count this request against its hook id; refuse it if the hook is over its rate."""
    now = time.time()
    used = _bump_minute(f"rate:{_digest(hook_id)}", int(now // 60))
    if used > settings.EGIS_HOOK_MAX_PER_MINUTE:
        raise Throttled(60 - int(now) % 60)


def record_failure(*, address: str) -> None:
    """Count a failed authentication from `address`; raise Throttled once it is over its limit
    (this failure included), so the caller answers 429 instead of its refusal."""
    key = _failures_key(address)
    failures = _bump(key, settings.EGIS_HOOK_FAILURE_WINDOW_S)
    if failures > settings.EGIS_HOOK_MAX_FAILURES_PER_ADDRESS:
        # Retry-After: when the address's window of failures ends, not the window's length.
        raise Throttled(window_seconds_left(key) or settings.EGIS_HOOK_FAILURE_WINDOW_S)
