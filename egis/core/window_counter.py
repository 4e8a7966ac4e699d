"""Counters whose window is fixed when they are first counted, counted atomically.

Used by the login throttle (egis.accounts.throttle) and the webhook's per-address failures
(egis.signals.throttle). Each key's window ends `timeout_s` after its first count (None: never);
a later count does not push it out, and a count after it ends opens a new window at 1.

Where they are kept:
- One host (the default): in the counter file (egis.core.counter_file), one SQL statement per
  count. They used to live in Django's file cache, whose read-then-write lost counts when two
  requests counted at once: ten parallel wrong passwords all read 0 and all wrote 1.
- Several web hosts (`EGIS_REDIS_URL`: the default cache is Redis): in that cache, one count
  for all hosts, each count one Lua script that Redis runs alone (INCR, and the window's
  expiry set by the count that opens it).

A count can be given back (`window_give_back`): the login throttle counts an attempt before it
checks the password, and a right password gives its count back.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache

from egis.core.counter_file import counter_db

PRUNE_EVERY = 1000  # counts per process between two prunings of ended windows
_counted = [0]


def _shared() -> bool:
    """Whether the default cache is one for every host (Redis): the counts are kept there."""
    return "redis" in str(settings.CACHES["default"]["BACKEND"]).lower()


# --- several hosts: the shared Redis cache ------------------------------------------------------
# The count is an integer under `<key>:n`, opened with its window's expiry in the same atomic
# step (a Lua script: Redis runs it alone). Django's `incr` was EXISTS then INCR, two commands: a
# window that ended between them made INCR create the count without an expiry, a lock-out that
# never ended. The window's end is the key's own time to live.

_BUMP_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 and tonumber(ARGV[1]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""
_GIVE_BACK_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('DECR', KEYS[1]) < 0 then
  redis.call('INCR', KEYS[1])
end
return 0
"""


def _redis_key(key: str) -> tuple[object, str]:
    full = cache.make_and_validate_key(f"{key}:n")
    return cache._cache.get_client(full, write=True), full  # type: ignore[attr-defined]


def _shared_bump(key: str, timeout_s: int | None) -> int:
    client, full = _redis_key(key)
    expire_ms = 0 if timeout_s is None else int(timeout_s * 1000)
    return int(client.eval(_BUMP_SCRIPT, 1, full, expire_ms))  # type: ignore[attr-defined]


def _shared_give_back(key: str) -> None:
    client, full = _redis_key(key)
    client.eval(_GIVE_BACK_SCRIPT, 1, full)  # type: ignore[attr-defined]


def _shared_count(key: str) -> int:
    client, full = _redis_key(key)
    value = client.get(full)  # type: ignore[attr-defined]
    return max(0, int(value)) if value is not None else 0


def _shared_seconds_left(key: str) -> float | None:
    client, full = _redis_key(key)
    left_ms = int(client.pttl(full))  # type: ignore[attr-defined]
    return left_ms / 1000 if left_ms > 0 else None  # -1: no end, -2: no count


# --- one host: the counter file -----------------------------------------------------------------

_BUMP = (
    "INSERT INTO window_count (key, n, until) VALUES (?, 1, ?) ON CONFLICT(key) DO UPDATE SET "
    "n = CASE WHEN until IS NOT NULL AND until <= ? THEN 1 ELSE n + 1 END, "
    "until = CASE WHEN until IS NOT NULL AND until <= ? THEN excluded.until ELSE until END "
    "RETURNING n"
)
# A key's row while its window lasts (a row whose window ended counts as none).
_LIVE_COUNT = "SELECT n, until FROM window_count WHERE key = ? AND (until IS NULL OR until > ?)"
_GIVE_BACK = (
    "UPDATE window_count SET n = MAX(n - 1, 0) WHERE key = ? AND (until IS NULL OR until > ?)"
)


def _file_bump(key: str, timeout_s: int | None, now: float) -> int:
    until = None if timeout_s is None else now + timeout_s
    with counter_db() as conn:
        row = conn.execute(_BUMP, (key, until, now, now)).fetchone()
        _counted[0] += 1
        if _counted[0] % PRUNE_EVERY == 0:
            conn.execute("DELETE FROM window_count WHERE until <= ?", (now,))
    return int(row[0])


# --- the counters -------------------------------------------------------------------------------


def window_bump(key: str, timeout_s: int | None) -> int:
    """Add one and return the count; the first count opens a window of `timeout_s` seconds
    (None: no end). Atomic: concurrent bumps of one key each get a count of their own."""
    if _shared():
        return _shared_bump(key, timeout_s)
    return _file_bump(key, timeout_s, time.time())


def window_give_back(key: str) -> None:
    """Take back one count made in the key's current window (never below 0). A window that
    ended meanwhile is left as it is: the count went with it."""
    if _shared():
        _shared_give_back(key)
        return
    with counter_db() as conn:
        conn.execute(_GIVE_BACK, (key, time.time()))


def window_count(key: str) -> int:
    if _shared():
        return _shared_count(key)
    with counter_db() as conn:
        row = conn.execute(_LIVE_COUNT, (key, time.time())).fetchone()
    return int(row[0]) if row else 0


def window_seconds_left(key: str) -> int | None:
    """Whole seconds until the window of `key` ends (at least 1); None if it has no end or
    nothing was counted."""
    now = time.time()
    if _shared():
        left = _shared_seconds_left(key) if _shared_count(key) else None
        return None if left is None else max(1, math.ceil(left))
    else:
        with counter_db() as conn:
            row = conn.execute(_LIVE_COUNT, (key, now)).fetchone()
        until = row[1] if row else None
    if not isinstance(until, (int, float)):
        return None
    return max(1, math.ceil(until - now))


def window_clear(key: str) -> None:
    """Forget the key's count (its next count opens a new window)."""
    if _shared():
        cache.delete(f"{key}:n")
        return
    with counter_db() as conn:
        conn.execute("DELETE FROM window_count WHERE key = ?", (key,))


def window_reset_all() -> None:
    """Forget every count (tests, and an operator who wants a clean start)."""
    if _shared():
        return  # (the shared cache's own `clear` forgets them, with everything else in it)
    with counter_db() as conn:
        conn.execute("DELETE FROM window_count")
