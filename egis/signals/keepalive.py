"""Keeping a live executor's claims from running out while one of its orders is at the venue.

The executor renews its claim before each further order (egis.signals.claims.renew), but a
single order can outlast the lease on its own: a lagging exchange answering each of an open's
calls (leverage, the order, its trades, its exits) near EGIS_BINANCE_TIMEOUT_S. The sweep then
took the live executor's signal for a dead worker's and looked its order up at the venue while
it was being sent. One thread per process renews the claims this process's executors hold, a
quarter of the lease apart, so only a dead process's claims run out.

A thread that makes no progress (no renew, i.e. no further order) for KEPT_LEASES leases is
not kept alive any longer: a hung executor in a live process gives its signal up to the lease
as before, rather than holding the bot's signals forever.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from egis.signals.models import Signal, SignalStatus

logger = logging.getLogger("egis.signals")

KEPT_LEASES = 5  # how long a claim is kept without progress, in leases


class _Held:
    __slots__ = ("claimed_by", "progress", "renewed")

    def __init__(self, claimed_by: str | None, now: float) -> None:
        # progress: the executor's last step (claim or renew); renewed: the claim's last write.
        self.claimed_by, self.progress, self.renewed = claimed_by, now, now


class _Keeper:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        # By (signal id, claim): an executor that hung past KEPT_LEASES and comes back after
        # another executor of this process took its signal over releases its own claim only.
        self._held: dict[tuple[int, str | None], _Held] = {}
        self._thread: threading.Thread | None = None

    def after_fork(self) -> None:
        """In a forked child: the parent's thread is not here, and its lock may have been held
        at the fork."""
        self._lock = threading.Lock()
        self._held, self._thread = {}, None

    def hold(self, signal: Signal) -> None:
        with self._lock:
            self._held[(signal.pk, signal.claimed_by)] = _Held(signal.claimed_by, time.monotonic())
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="egis-signal-claims", daemon=True
                )
                self._thread.start()

    def progress(self, signal: Signal) -> None:
        key = (signal.pk, signal.claimed_by)
        with self._lock:
            if key in self._held:
                self._held[key] = _Held(signal.claimed_by, time.monotonic())

    def release(self, signal: Signal) -> None:
        with self._lock:
            self._held.pop((signal.pk, signal.claimed_by), None)

    def _due(self, lease: float) -> tuple[datetime, list[tuple[int, str | None]]]:
        """The claims held a quarter of a lease since their last write, by executors that made
        progress within KEPT_LEASES leases, marked as renewed now; and now, the time to write
        (judged here: a write that lands late never claims more than was judged)."""
        at = timezone.now()
        now = time.monotonic()
        due = []
        with self._lock:
            for (pk, _), held in self._held.items():
                if now - held.renewed >= lease / 4 and now - held.progress < lease * KEPT_LEASES:
                    held.renewed = now
                    due.append((pk, held.claimed_by))
        return at, due

    def _run(self) -> None:
        while True:
            lease = float(settings.EGIS_SIGNAL_LEASE_S)
            # Short looks (only claims held that long are written), so a lease that changes
            # is followed within a second.
            time.sleep(min(max(lease / 8, 0.05), 1.0))
            at, due = self._due(lease)
            if not due:
                continue
            try:
                for pk, by in due:
                    Signal.objects.filter(
                        pk=pk, status=SignalStatus.EXECUTING, claimed_by=by
                    ).update(claimed_at=at)
            except Exception:
                # A busy database: the next look tries again, well inside the lease.
                logger.warning("could not renew the claims of running signals", exc_info=True)
                with self._lock:
                    for key in due:
                        if key in self._held:
                            self._held[key].renewed = float("-inf")
            finally:
                connection.close()


_KEEPER = _Keeper()
os.register_at_fork(after_in_child=_KEEPER.after_fork)


@contextmanager
def claim_kept_alive(signal: Signal) -> Iterator[None]:
    """While the block runs, this process renews the signal's claim (see the module's doc)."""
    _KEEPER.hold(signal)
    try:
        yield
    finally:
        _KEEPER.release(signal)


def claim_progressed(signal: Signal) -> None:
    """The executor moved on to a further order: keep its claim for KEPT_LEASES from now."""
    _KEEPER.progress(signal)
