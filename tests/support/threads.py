"""Run a piece of worker code in a thread of its own, as another Huey worker thread would."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def errors_in_another_thread(fn: Callable[[], object]) -> list[BaseException]:
    """Run `fn` in a new thread (its own database connection, closed after), wait for it, and
    return what it raised (a worker killed there raises ProcessKilled, a BaseException)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:  # returned to the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    return errors


def in_another_thread(fn: Callable[[], object]) -> None:
    """Run `fn` in a new thread (its own database connection, closed after) and wait for it;
    what it raised fails the test here."""
    assert errors_in_another_thread(fn) == []
