"""Webhook throttling, counted in Django's shared cache like the login throttle.

- Per hook id (every request, known hook or not, so the answer tells nothing):
  `EGIS_HOOK_MAX_PER_MINUTE` requests per minute.
- Per address (failed authentications only): after `EGIS_HOOK_MAX_FAILURES_PER_ADDRESS` within
  `EGIS_HOOK_FAILURE_WINDOW_S`, every request from that address is refused until the window ends:
  guessing hook ids or secrets stops, a sender with the right secret is not slowed down.
Keys are hashed: no hook id or address appears in a cache file name.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


class Throttled(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__("too many requests")
        self.retry_after_s = retry_after_s


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).hexdigest()[:32]


def _count(key: str) -> int:
    value = cache.get(key, 0)
    return value if isinstance(value, int) else 0


def _bump(key: str, timeout: int) -> int:
    # incr first: the key exists for all but the first request of its minute, and `add` costs a
    # read of the cache file of its own before `incr` reads it again.
    try:
        return int(cache.incr(key))
    except ValueError:  # not there yet (or just expired)
        pass
    if cache.add(key, 1, timeout):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def _failures_key(address: str) -> str:
    return f"egis:hook:fail:{_digest(address)}"


def check(*, hook_id: str, address: str) -> None:
    """Count this request against its hook id; refuse it if the hook or the address is over."""
    if _count(_failures_key(address)) >= settings.EGIS_HOOK_MAX_FAILURES_PER_ADDRESS:
        raise Throttled(settings.EGIS_HOOK_FAILURE_WINDOW_S)
    minute = int(time.time() // 60)
    used = _bump(f"egis:hook:rate:{_digest(hook_id, str(minute))}", 120)
    if used > settings.EGIS_HOOK_MAX_PER_MINUTE:
        raise Throttled(60 - int(time.time()) % 60)


def record_failure(*, address: str) -> None:
    _bump(_failures_key(address), settings.EGIS_HOOK_FAILURE_WINDOW_S)
