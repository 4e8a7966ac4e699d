"""The SQLite writers' gate: a lock file beside the database that every Egis writer takes before
SQLite's own write lock, so a writer that has to wait is let in as soon as the lock is free.

SQLite lets one writer in at a time. A writer that finds the lock taken sleeps in SQLite's busy
handler, which does not wake when the lock is released: it sleeps 1, 2, 5, 10, 15, 20, 25, 25,
25, 50, 50 and then 100 ms between tries (sqliteDefaultBusyCallback in SQLite's main.c). Under a
steady stream of short write transactions (the worker executing signals) a webhook's one INSERT
lost several tries in a row: it took 0.3 ms at the median and 80 ms at the 99th percentile
(docs/BENCHMARKS.md, benchmark 6, session 12).

Here a writer first takes an exclusive `flock` on `<database>-writers.lock`, trying again after 0.02
ms, doubling to at most 0.2 ms, so it is in within a fifth of a millisecond of the lock's release;
then SQLite's lock is free for it. The gate decides nothing that SQLite does not: a writer that does
not take it (another program, the sqlite3 shell) still meets SQLite's lock and its busy handler, and
a process that dies holding the gate loses it with its file descriptor. A writer that cannot take
the gate within the busy timeout gets SQLite's own error ("database is locked"), as it would have
from SQLite.

The threads of one process queue on a lock of the process first (a thread waiting there is woken
when it is released, and costs no CPU while it waits), so only one of them at a time tries the
file. Each connection still has its own open file description (flock locks belong to it), and a
connection carried into a forked child opens its own.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

logger = logging.getLogger("egis.db")

FIRST_WAIT_S = 0.00002
LONGEST_WAIT_S = 0.0002
GATE_SUFFIX = "-writers.lock"


# The process's lock of each gate file; a forked child starts with none (a lock held by another
# thread at the fork would never be released in the child).
_PROCESS_LOCKS: dict[str, threading.Lock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()


def _process_lock(path: str) -> threading.Lock:
    with _PROCESS_LOCKS_GUARD:
        lock = _PROCESS_LOCKS.get(path)
        if lock is None:
            lock = _PROCESS_LOCKS[path] = threading.Lock()
        return lock


def _forget_process_locks() -> None:
    global _PROCESS_LOCKS_GUARD
    _PROCESS_LOCKS_GUARD = threading.Lock()
    _PROCESS_LOCKS.clear()


os.register_at_fork(after_in_child=_forget_process_locks)


class WriterGate:
    """The gate of one connection: `enter` before a write transaction or an autocommit write,
    `leave` once it has ended. Not re-entrant: `held` says whether this connection holds it."""

    __slots__ = ("_fd", "_local", "_path", "_pid", "held", "timeout_s")

    def __init__(self, database: str, *, timeout_s: float) -> None:
        self._path = database + GATE_SUFFIX
        self._fd = -1
        self._pid = 0
        self._local: threading.Lock | None = None
        self.held = False
        self.timeout_s = timeout_s

    def _descriptor(self) -> int:
        """The gate file, opened by this process (-1 if it cannot be: no gate then)."""
        if self._pid != os.getpid():  # first use, or a forked child: an open file of its own
            self._pid = os.getpid()
            self._local = _process_lock(self._path)
            try:
                # Read-only is enough to lock, so a process of another user (a CLI run as
                # root beside the web server's user) shares the gate; the file holds nothing.
                self._fd = os.open(self._path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                self._fd = -1
                logger.warning(
                    "writers' gate %s cannot be opened (%s): this process writes without it",
                    self._path,
                    exc.strerror,
                )
        return self._fd

    def enter(self) -> None:
        fd = self._descriptor()
        if fd < 0:  # SQLite's own lock and busy handler still keep writers apart
            return
        local = self._local
        assert local is not None
        deadline = time.monotonic() + self.timeout_s  # for the process's lock and the file's
        if not local.acquire(timeout=self.timeout_s):
            raise sqlite3.OperationalError("database is locked")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            try:
                self._wait(fd, deadline)
            except BaseException:
                local.release()
                raise
        self.held = True

    @staticmethod
    def _wait(fd: int, deadline: float) -> None:
        wait = FIRST_WAIT_S
        while True:
            time.sleep(wait)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                wait = min(wait * 2, LONGEST_WAIT_S)

    def leave(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            assert self._local is not None
            self._local.release()

    def __enter__(self) -> WriterGate:
        self.enter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.leave()

    def close(self) -> None:
        self.leave()
        if self._pid == os.getpid() and self._fd >= 0:
            os.close(self._fd)
        self._fd, self._pid, self._local = -1, 0, None


def gate_for(database: str, *, timeout_s: float) -> WriterGate | None:
    """The gate of a connection to `database`, None where there is no file beside it to lock
    (an in-memory database, a `file:` URI)."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    if not Path(database).parent.is_dir():
        return None
    return WriterGate(database, timeout_s=timeout_s)


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


def is_write(sql: str) -> bool:
    """Whether a statement writes (and so takes SQLite's write lock on its own, outside a
    transaction). A write SQLite would take otherwise (a `WITH ... INSERT`) is only not gated."""
    return sql.lstrip()[:6].upper() in _WRITES
