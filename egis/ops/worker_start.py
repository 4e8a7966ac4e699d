"""The start of a worker process, as its start-up hooks see it.

Huey calls every `@on_startup` hook in each worker thread (or forked process) as it starts, and
again in a thread it starts anew after one died (huey.consumer.Worker.initialize): with
`run_huey --workers 4`, a start-up hook runs four times, in threads that are already taking
tasks from the queue. A hook that must run once per process, or must tell the work a dead
process left behind from the work this process's own threads are doing, asks here.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import uuid
from datetime import datetime
from pathlib import Path

from django.utils import timezone


def _short(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8] if text else ""


def _pid_scope() -> str:
    """Where this process's pid means something, as "<boot>.<pid namespace>" (short hashes of
    Linux's boot id and /proc/self/ns/pid; either part empty where it cannot be read). A pid of
    another boot, or of another PID namespace (another container given the same host name),
    names nothing, or another process, here."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = ""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{_short(boot)}.{_short(namespace)}"


class _ProcessStart:
    def __init__(self, *, host: str | None = None, scope: str | None = None) -> None:
        self._lock = threading.Lock()
        self._host = host or socket.gethostname()
        self._scope = _pid_scope() if scope is None else scope
        self._pid = 0
        self._token = ""
        self._at: datetime | None = None
        self._done: set[str] = set()

    def _here(self) -> datetime:
        # A forked child (`-k process`) inherits its parent's marks: it is a process of its own.
        if self._pid != os.getpid() or self._at is None:
            self._pid, self._at, self._done = os.getpid(), timezone.now(), set()
            self._token = uuid.uuid4().hex[:12]
        return self._at

    def identity(self) -> str:
        with self._lock:
            self._here()
            return f"{self._host}:{self._scope}:{self._pid}:{self._token}"

    def gone(self, owner: str) -> bool:
        """True only when the process named `owner` (an `identity()`) is known to have ended."""
        parts = owner.split("#", 1)[0].rsplit(":", 3)  # "#<n>": a claim's number, if any
        if len(parts) != 4 or not parts[2].isdigit():
            return False
        host, scope, pid, token = parts[0], parts[1], int(parts[2]), parts[3]
        with self._lock:
            self._here()
            # A pid names a process only within one boot and one PID namespace. Another host,
            # boot or namespace (a replica given this host name: both run as pid 1; a machine
            # cloned with this host name), or one that cannot be read: only the lease can tell.
            # Never guess the other way: a live claim judged dead is two executors of a signal.
            boot, _, namespace = scope.partition(".")
            if host != self._host or scope != self._scope or not (boot and namespace):
                return False
            if pid == self._pid:
                # This pid, another start in this namespace: that earlier process has ended.
                # The same start: one of our threads.
                return token != self._token
        try:
            os.kill(pid, 0)  # signal 0: no signal sent, only whether the process exists
        except ProcessLookupError:
            return True
        except OSError:  # exists, owned by another user
            return False
        return False

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


def worker_identity() -> str:
    """This process as a claim names its owner: host, where its pid is valid (this boot and PID
    namespace), pid and a token of this start (a pid can come back within one namespace)."""
    return _start.identity()


def worker_gone(owner: str) -> bool:
    """Whether the process that took a claim (its `worker_identity()`) is known to be dead:
    a process of this host, boot and PID namespace that no longer runs, or an earlier start of
    this process's pid there. False when it cannot be known (another host, boot or PID
    namespace, a malformed or empty owner, or one written before owners named their PID
    namespace): its lease decides. So a restarted container (a new PID namespace) resumes its
    predecessor's claims once their lease has run out, not at once: two replicas given one
    host name, both pid 1, look the same as one container restarted, and taking a live
    replica's claim would run one signal twice."""
    return _start.gone(owner)


def first_in_worker_process(name: str) -> bool:
    """True for the first caller of `name` in this process, False for every later one."""
    return _start.first(name)
