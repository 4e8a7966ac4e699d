"""Counters whose window is fixed by the first count (egis.core.window_counter).

Regression: Django's `cache.incr` on the file cache rewrote the entry with the default 300 s
timeout, so a 15-minute login lock ended 5 minutes after the last failure and an unlock's
generation counter (no timeout) lapsed after 5 minutes, reviving the counts it had dropped.
"""

from __future__ import annotations

import pickle
import time

import pytest
from django.core.cache import cache

from egis.accounts import throttle
from egis.core.window_counter import window_bump, window_count, window_seconds_left


def _stored_expiry(key: str) -> float | None:
    # The file cache keeps each entry's expiry as the first pickle of its file.
    path = cache._key_to_file(key)  # type: ignore[attr-defined]
    with open(path, "rb") as fh:
        return pickle.load(fh)  # noqa: S301 (the cache file this test just wrote)


@pytest.fixture(autouse=True)
def _clean():
    cache.clear()
    yield
    cache.clear()


def test_the_window_is_fixed_by_the_first_count_not_reset_to_the_default():
    key = "test:window"
    assert window_bump(key, 900) == 1
    first = _stored_expiry(key)
    assert window_bump(key, 900) == 2 and window_bump(key, 900) == 3
    assert window_count(key) == 3
    later = _stored_expiry(key)
    assert first is not None and later is not None
    assert later > time.time() + 800  # not the 300 s default
    assert later <= first + 1  # not pushed further out by later counts


def test_a_counter_without_end_never_expires():
    key = "test:forever"
    window_bump(key, None)
    window_bump(key, None)
    assert window_count(key) == 2
    assert _stored_expiry(key) is None or _stored_expiry(key) == 0


def test_the_login_lock_window_and_the_unlock_generation_keep_their_lifetimes(settings):
    settings.EGIS_LOGIN_LOCKOUT_SECONDS = 900
    for _ in range(3):
        throttle.record_failure(username="bob", address="10.0.0.9")
    assert throttle.state(username="bob", address="10.0.0.9").attempts_left == 2
    throttle.unlock(username="bob")
    throttle.unlock(username="bob")
    gen_key = f"egis:login:gen:{throttle._digest(throttle.normalise('bob'))}"
    assert window_count(gen_key) == 2
    assert _stored_expiry(gen_key) in (None, 0)
    assert throttle.state(username="bob", address="10.0.0.9").attempts_left == 5


def test_the_seconds_left_are_those_of_the_window_opened_by_the_first_count(monkeypatch):
    key = "egis:test:left"
    cache.delete(key)
    assert window_seconds_left(key) is None
    clock = [time.time()]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    window_bump(key, 600)
    clock[0] += 250.2
    window_bump(key, 600)
    assert window_seconds_left(key) == 350  # 349.8 s, rounded up: never "retry now" too early
