"""Counters whose window is fixed by the first count (egis.core.window_counter), counted
atomically in the data folder's counter file.

Regressions: Django's `cache.incr` on the file cache rewrote the entry with the default 300 s
timeout, so a 15-minute login lock ended 5 minutes after the last failure and an unlock's
generation counter (no timeout) lapsed after 5 minutes, reviving the counts it had dropped. And
the file cache's read-then-write lost counts when two requests counted at once.
"""

from __future__ import annotations

import threading
import time

import pytest

from egis.accounts import throttle
from egis.core.window_counter import (
    window_bump,
    window_clear,
    window_count,
    window_give_back,
    window_seconds_left,
)


@pytest.fixture
def clock(monkeypatch):
    now = [time.time()]
    monkeypatch.setattr(time, "time", lambda: now[0])
    return now


def test_the_window_is_fixed_by_the_first_count_not_pushed_out_by_later_ones(clock):
    key = "test:window"
    assert window_bump(key, 900) == 1
    clock[0] += 600
    assert window_bump(key, 900) == 2 and window_bump(key, 900) == 3
    assert window_count(key) == 3
    assert window_seconds_left(key) == 300  # not 900 from the last count, not a 300 s default
    clock[0] += 300
    assert window_count(key) == 0 and window_seconds_left(key) is None  # the window ended
    assert window_bump(key, 900) == 1  # a new window starts at 1
    assert window_seconds_left(key) == 900


def test_a_counter_without_end_never_expires(clock):
    key = "test:forever"
    window_bump(key, None)
    window_bump(key, None)
    clock[0] += 10 * 365 * 86_400
    assert window_count(key) == 2
    assert window_seconds_left(key) is None


def test_the_login_lock_window_and_the_unlock_generation_keep_their_lifetimes(settings, clock):
    settings.EGIS_LOGIN_LOCKOUT_SECONDS = 900
    for _ in range(3):
        throttle.record_failure(username="bob", address="10.0.0.9")
    clock[0] += 600  # past the old 300 s default: still counted
    assert throttle.state(username="bob", address="10.0.0.9").attempts_left == 2
    throttle.unlock(username="bob")
    throttle.unlock(username="bob")
    gen_key = f"egis:login:gen:{throttle._digest(throttle.normalise('bob'))}"
    clock[0] += 86_400
    assert window_count(gen_key) == 2 and window_seconds_left(gen_key) is None
    assert throttle.state(username="bob", address="10.0.0.9").attempts_left == 5


def test_the_seconds_left_are_those_of_the_window_opened_by_the_first_count(clock):
    key = "egis:test:left"
    assert window_seconds_left(key) is None
    window_bump(key, 600)
    clock[0] += 250.2
    window_bump(key, 600)
    assert window_seconds_left(key) == 350  # 349.8 s, rounded up: never "retry now" too early


def test_a_count_given_back_and_a_cleared_key(clock):
    key = "test:give-back"
    window_bump(key, 60)
    window_bump(key, 60)
    window_give_back(key)
    assert window_count(key) == 1
    window_give_back(key)
    window_give_back(key)  # never below 0
    assert window_count(key) == 0
    assert window_bump(key, 60) == 1
    window_clear(key)
    assert window_count(key) == 0 and window_seconds_left(key) is None


def test_parallel_counts_are_never_lost():
    """Every thread gets a count of its own: 16 threads x 25 bumps = 400, each number once."""
    key = "test:parallel"
    got: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(16)

    def bump() -> None:
        start.wait()
        mine = [window_bump(key, 900) for _ in range(25)]
        with lock:
            got.extend(mine)

    threads = [threading.Thread(target=bump) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(got) == list(range(1, 401))
    assert window_count(key) == 400
