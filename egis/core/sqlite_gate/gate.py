"""The write gate: an exclusive `flock` on a file next to the SQLite database, taken by a writer
before SQLite's own write lock (egis.core.sqlite_gate.base says why).

A waiter blocks in the kernel and is woken as soon as the holder releases: no sleep between
attempts. A lock taken with `flock` belongs to the open file, so a holder that dies releases it
with its file descriptors, and two connections (each with its own descriptor) exclude each
other even in one process.

`flock` has no timeout. The bound on a wait comes from the holders instead: a process's gate
keeper (one thread) releases every gate of that process held longer than its limit (the busy
timeout of SQLite), and logs it. That is safe because the gate is advisory: the holder keeps its
SQLite transaction, and the waiter let through meets SQLite's lock and its busy timeout, as it
would without a gate (a database busy for longer than that is an answer: "Database busy").
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
import weakref

logger = logging.getLogger("egis.db")

GATE_SUFFIX = "-write-gate"
KEEPER_INTERVAL_S = 0.5


def gate_path(database_name: object) -> str | None:
    """The gate file of a database file; None for an in-memory database (one connection)."""
    name = str(database_name)
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    return name + GATE_SUFFIX


class WriteGate:
    """One connection's place at the gate of one database file."""

    __slots__ = ("__weakref__", "_close_fd", "_fd", "_held_since", "_limit_s", "_mutex", "path")

    def __init__(self, path: str, *, limit_s: float) -> None:
        self.path = path
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        self._limit_s = limit_s
        # A connection dropped without close (a thread's, at its end) still closes its file.
        self._close_fd = weakref.finalize(self, os.close, self._fd)
        self._mutex = threading.Lock()  # between the holder and the keeper
        self._held_since: float | None = None

    @property
    def held(self) -> bool:
        return self._held_since is not None

    def enter(self) -> None:
        """Wait for the gate (no-op if this connection holds it)."""
        if self._held_since is not None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        with self._mutex:
            self._held_since = time.monotonic()
        _keeper().watch(self)

    def leave(self) -> None:
        with self._mutex:
            if self._held_since is not None:
                self._held_since = None
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        _keeper().forget(self)

    def release_if_overdue(self, now: float) -> float | None:
        """Release a hold older than the limit (the keeper); returns how long it was held."""
        with self._mutex:
            since = self._held_since
            if since is None or now - since < self._limit_s:
                return None
            self._held_since = None
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        return now - since

    def close(self) -> None:
        self.leave()
        self._close_fd()


class _Keeper:
    """One thread per process: ends the holds of this process's gates that outlast their
    limit. It wakes only while some gate of the process is held."""

    def __init__(self) -> None:
        self._pid = os.getpid()
        self._held: set[WriteGate] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        threading.Thread(target=self._run, name="egis-write-gate-keeper", daemon=True).start()

    def watch(self, gate: WriteGate) -> None:
        with self._lock:
            self._held.add(gate)
        if not self._wake.is_set():
            self._wake.set()

    def forget(self, gate: WriteGate) -> None:
        with self._lock:
            self._held.discard(gate)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(KEEPER_INTERVAL_S)
            with self._lock:
                held = list(self._held)
                if not held:
                    self._wake.clear()
            now = time.monotonic()
            for gate in held:
                overdue = gate.release_if_overdue(now)
                if overdue is not None:  # its holder forgets it when its transaction ends
                    logger.warning(
                        "SQLite write gate held %.1f s, past the busy timeout: released for the "
                        "next writer (SQLite's own lock still decides who writes)",
                        overdue,
                    )


_keeper_of_process: _Keeper | None = None
_keeper_lock = threading.Lock()


def _keeper() -> _Keeper:
    global _keeper_of_process
    keeper = _keeper_of_process
    if keeper is not None and keeper._pid == os.getpid():
        return keeper
    with _keeper_lock:  # first use, or a forked child (threads do not survive a fork)
        if _keeper_of_process is None or _keeper_of_process._pid != os.getpid():
            _keeper_of_process = _Keeper()
        return _keeper_of_process
