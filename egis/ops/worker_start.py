"""The start of a worker process, as its start-up hooks see it.

Huey calls every `@on_startup` hook in each worker thread (or forked process) as it starts, and
again in a thread it starts anew after one died (huey.consumer.Worker.initialize): with
`run_huey --workers 4`, a start-up hook runs four times, in threads that are already taking
tasks from the queue. A hook that must run once per process, or must tell the work a dead
process left behind from the work this process's own threads are doing, asks here.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime

from django.utils import timezone


class _ProcessStart:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = 0
        self._at: datetime | None = None
        self._done: set[str] = set()

    def _here(self) -> datetime:
        # A forked child (`-k process`) inherits its parent's marks: it is a process of its own.
        if self._pid != os.getpid() or self._at is None:
            self._pid, self._at, self._done = os.getpid(), timezone.now(), set()
        return self._at

    def at(self) -> datetime:
        with self._lock:
            return self._here()

    def first(self, name: str) -> bool:
        with self._lock:
            self._here()
            if name in self._done:
                return False
            self._done.add(name)
            return True


_start = _ProcessStart()


def worker_process_started_at() -> datetime:
    """When this process's first start-up hook asked: before any of its threads took a task,
    since each thread runs its start-up hooks before its first task."""
    return _start.at()


def first_in_worker_process(name: str) -> bool:
    """True for the first caller of `name` in this process, False for every later one."""
    return _start.first(name)
