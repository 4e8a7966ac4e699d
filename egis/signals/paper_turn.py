"""The worker's paper turn: a paper bot's signals are claimed and executed one at a time in a
worker process.

The worker's threads are there to wait on an exchange (a Binance call takes tens to hundreds of
milliseconds); a paper fill waits on nothing, so two at once only hand the GIL and the database's
write lock back and forth (docs/BENCHMARKS.md, benchmark 6, session 12: 2.5 ms of worker CPU a
signal with four threads executing paper signals together, 2.0 ms with one). A Binance bot's
signals take no turn.

The turn is a matter of speed, not of correctness (the bot's lock and the idempotency keys
decide what is placed), and a paper fill takes a millisecond or two: a turn not had within a
second is not waited for, so nothing can hang on it, whatever holds it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.rows import RowQuery

WAIT_S = 1.0

_turn = threading.Lock()
# A bot's venue never changes (egis.bots.services.bot_update): read once per drain.
_VENUE_OF = RowQuery(Bot, "id = %s", fields=["venue"])


def takes_paper_turn(bot_id: int) -> bool:
    """Whether the bot's signals take the paper turn (a paper bot's do)."""
    row = _VENUE_OF.one(bot_id)
    return row is not None and row.venue == Venue.PAPER


@contextmanager
def paper_turn(needed: bool = True) -> Iterator[None]:
    """The process's paper turn while the block runs (nothing when not `needed`)."""
    lock = _turn
    taken = needed and lock.acquire(timeout=WAIT_S)
    try:
        yield
    finally:
        if taken:
            lock.release()


def _free_after_fork() -> None:
    # A forked child (Huey's process workers) has none of its parent's threads: a turn one of
    # them held at the fork would never be given back there.
    global _turn
    _turn = threading.Lock()


os.register_at_fork(after_in_child=_free_after_fork)


def turn_is_free() -> bool:
    """Whether no thread of this process holds the turn now (for checks and tests)."""
    if _turn.acquire(blocking=False):
        _turn.release()
        return True
    return False
