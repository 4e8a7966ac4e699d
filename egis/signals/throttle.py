"""Webhook throttling, counted atomically like the login throttle (egis.core.counter_file).

- Per hook id (every request, known hook or not, so the answer tells nothing):
  `EGIS_HOOK_MAX_PER_MINUTE` requests per minute.
- Per address (failed authentications only): after `EGIS_HOOK_MAX_FAILURES_PER_ADDRESS` within
  `EGIS_HOOK_FAILURE_WINDOW_S`, every further *failed* request from that address is answered
  429 instead of 404 until the window ends. A request that authenticates is never refused for
  its address: TradingView posts every user's alerts from a few shared addresses, and behind a
  proxy every request may carry the proxy's, so one user's wrong secret (or a stranger's
  guesses) must not stop another user's signals. Guessing gains nothing from this: a hook id
  and its secret are random (egis.signals.hooks), far beyond any number of tries.
Keys are hashed: no hook id or address appears in the counter file or a cache file name.

The per-hook count is bumped on every request, so it is not kept in Django's file cache (each
bump there is a read, a temporary file and a rename, measured at 2-4 ms on a loaded disk, and
its `incr` is a read-then-write that two processes can interleave). It lives in a small SQLite
file of its own next to the task queue's (egis.core.counter_file, `hook-throttle.sqlite3` in the
data folder; WAL): one upsert per request, atomic across every process and thread, about 0.1 ms,
and never in the way of the main database's write lock. Rows of past minutes are pruned as it
goes.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Any

from django.conf import settings

from egis.core.counter_file import FILE_NAME, counter_db
from egis.core.window_counter import window_bump, window_seconds_left

COUNTER_FILE_NAME = FILE_NAME
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


class _Bumps(threading.local):
    n: int = 0


_bumps = _Bumps()


def _bump_minute(key: str, minute: int) -> int:
    """Count one request for `key` in `minute` (a new minute starts again at 1): atomic, one
    statement, whichever process or thread bumps (egis.core.counter_file: a locked or read-only
    file raises Django's OperationalError, which the webhook answers 503 "busy")."""
    with counter_db() as conn:
        row = conn.execute(
            "INSERT INTO hook_rate (key, minute, n) VALUES (?, ?, 1) ON CONFLICT(key) DO UPDATE "
            "SET n = CASE WHEN minute = excluded.minute THEN n + 1 ELSE 1 END, "
            "minute = excluded.minute RETURNING n",
            (key, minute),
        ).fetchone()
        _bumps.n += 1
        if _bumps.n % PRUNE_EVERY == 0:
            conn.execute("DELETE FROM hook_rate WHERE minute < ?", (minute - 1,))
    return int(row[0])


def reset() -> None:
    """Forget every per-hook count (tests, and an operator who wants a clean start)."""
    with counter_db() as conn:
        conn.execute("DELETE FROM hook_rate")


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
