"""Login throttling per account and per address, counted in Django's shared cache.

Failures are counted in a window; once either count reaches its limit, further attempts for that
account or from that address are refused (without checking the password) until the window ends.
A successful login clears the account's count, never the address's.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(kind: str, value: str) -> str:
    # Hashed so user names and addresses never appear in cache file names.
    digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"egis:login:{kind}:{digest}"


def client_address(request_meta: dict[str, object]) -> str:
    # REMOTE_ADDR only: a proxy in front must set it (X-Forwarded-For is spoofable).
    return str(request_meta.get("REMOTE_ADDR") or "unknown")


def is_locked(*, username: str, address: str) -> bool:
    account = cache.get(_key("account", username), 0)
    by_address = cache.get(_key("address", address), 0)
    return bool(
        account >= settings.EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT
        or by_address >= settings.EGIS_LOGIN_MAX_FAILURES_PER_ADDRESS
    )


def _bump(key: str) -> None:
    timeout = settings.EGIS_LOGIN_LOCKOUT_SECONDS
    if cache.add(key, 1, timeout):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)


def record_failure(*, username: str, address: str) -> None:
    _bump(_key("account", username))
    _bump(_key("address", address))


def record_success(*, username: str) -> None:
    cache.delete(_key("account", username))
