"""The window counters on several web hosts (EGIS_REDIS_URL): kept in the shared Redis cache,
counted with Redis's own atomic SET NX and INCR. Against a real redis-server on a unix socket
of its own (no port); skipped where Debian's redis-server is not installed."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time

import pytest
from django.core.cache import cache

from egis.accounts import throttle
from egis.core.window_counter import (
    window_bump,
    window_clear,
    window_count,
    window_give_back,
    window_seconds_left,
)


@pytest.fixture(scope="module")
def redis_socket(tmp_path_factory):
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    folder = tmp_path_factory.mktemp("redis")
    socket = folder / "redis.sock"
    proc = subprocess.Popen(
        [server, "--port", "0", "--unixsocket", str(socket), "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(200):
        if socket.exists():
            break
        time.sleep(0.02)
    yield socket
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def shared_cache(redis_socket, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"unix://{redis_socket}",
        }
    }
    cache.clear()
    yield
    cache.clear()


def test_counts_live_in_the_shared_cache_with_their_window():
    key = "test:redis:window"
    assert window_bump(key, 900) == 1
    assert window_bump(key, 900) == 2
    assert cache.get(f"{key}:n") == 2  # where every host reads it
    assert 899 <= window_seconds_left(key) <= 900
    window_give_back(key)
    assert window_count(key) == 1
    window_clear(key)
    assert window_count(key) == 0 and window_seconds_left(key) is None


def test_a_window_ends_and_the_next_count_opens_a_new_one():
    key = "test:redis:short"
    window_bump(key, 1)
    window_bump(key, 1)
    time.sleep(1.2)
    assert window_count(key) == 0
    assert window_bump(key, 1) == 1
    window_give_back(key)
    window_give_back(key)  # never below 0
    assert window_count(key) == 0


def test_a_counter_without_end_has_no_expiry():
    key = "test:redis:forever"
    window_bump(key, None)
    assert window_bump(key, None) == 2
    assert window_seconds_left(key) is None
    stored = cache.make_key(f"{key}:n")
    client = cache._cache.get_client(stored)  # type: ignore[attr-defined]
    assert client.ttl(stored) == -1  # no expiry


def test_parallel_counts_are_never_lost():
    key = "test:redis:parallel"
    got: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def bump() -> None:
        start.wait()
        mine = [window_bump(key, 900) for _ in range(25)]
        with lock:
            got.extend(mine)

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(got) == list(range(1, 201))


def test_the_login_lock_and_unlock_on_the_shared_cache(settings):
    settings.EGIS_LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    for _ in range(3):
        throttle.record_failure(username="bob", address="10.0.0.9")
    assert throttle.state(username="bob", address="10.0.0.9").locked
    attempt = throttle.attempt_begin(username="bob", address="10.0.0.9")
    assert attempt.state.locked and throttle.failures_anywhere(username="bob") == 3
    throttle.unlock(username="bob")
    assert throttle.state(username="bob", address="10.0.0.9").attempts_left == 3
    attempt = throttle.attempt_begin(username="bob", address="10.0.0.9")
    assert not attempt.state.locked
    throttle.attempt_succeeded(attempt)
    assert (
        throttle.failures_anywhere(username="bob") == 0
    )  # a new generation; the right one gave back


def test_a_count_never_lives_without_its_window_end_while_windows_end_under_it():
    # Found by review: Django's incr is EXISTS then INCR; a window ending between the two made
    # INCR create the count with no expiry: a lock-out without end. Windows here end (the key
    # is deleted, as Redis expires it) while 8 threads count, for 2 s; every count is checked.
    import threading
    import time

    key = "review:window-end-race"
    full = cache.make_and_validate_key(f"{key}:n")
    client = cache._cache.get_client(full, write=True)
    stop = time.monotonic() + 2.0
    without_end: list[int] = []

    def count() -> None:
        while time.monotonic() < stop:
            window_bump(key, 900)
            if client.ttl(full) == -1:  # exists, without an expiry
                without_end.append(1)

    def end_windows() -> None:
        while time.monotonic() < stop:
            client.delete(full)

    threads = [threading.Thread(target=count) for _ in range(8)]
    threads.append(threading.Thread(target=end_windows))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert without_end == []
    assert window_bump(key, 900) >= 1 and client.ttl(full) > 0
    assert window_seconds_left(key) is not None
