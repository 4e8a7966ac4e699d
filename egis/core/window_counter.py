"""Counters in Django's shared cache whose window is fixed when they are first counted.

Django's `cache.incr` on the file cache rewrites the entry with the cache's default timeout
(300 s): a 15-minute login lock window shrank to 5 minutes after the last failure, and a login
unlock's generation counter (meant never to expire) lapsed after 5 minutes, which brought the
counts it had dropped back. Each entry here stores the moment its window ends, and every bump
writes it again with only the time left.
"""

from __future__ import annotations

import math
import time

from django.core.cache import cache


def window_count(key: str) -> int:
    entry = cache.get(key)
    if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int):
        return entry[0]
    return 0


def window_seconds_left(key: str) -> int | None:
    """Whole seconds until the window of `key` ends (at least 1); None if it has no end or
    nothing was counted."""
    entry = cache.get(key)
    if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], (int, float)):
        return max(1, math.ceil(entry[1] - time.time()))
    return None


def window_bump(key: str, timeout_s: int | None) -> int:
    """Add one; the first count opens a window of `timeout_s` seconds (None: no end)."""
    now = time.time()
    entry = cache.get(key)
    if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int):
        count, until = entry
    else:
        count, until = 0, (None if timeout_s is None else now + timeout_s)
    left = None if until is None else max(1, int(until - now))
    cache.set(key, [count + 1, until], left)
    return int(count + 1)
