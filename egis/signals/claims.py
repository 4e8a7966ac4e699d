"""Claiming a bot's next signal, and ending it: the compare-and-set writes of the worker.

A worker takes the oldest unfinished signal of a bot by compare-and-set (queued -> executing),
naming itself in the claim (`claimed_by`: this process, egis.ops.worker_start, and a number).
Only the claim's holder renews it (before each further order; its process also renews it
while one order is at the venue, egis.signals.keepalive) and finishes it. A claim is taken
over as a dead worker's when it is older than the lease, or, at a worker's start, when it was
taken before that start by a process known to have ended.
"""

from __future__ import annotations

import itertools
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from egis.core.row_updates import RowUpdate
from egis.core.rows import RowQuery
from egis.ops.worker_start import worker_gone, worker_identity
from egis.signals.keepalive import claim_progressed
from egis.signals.models import REASON_MAX, Signal, SignalStatus
from egis.signals.notices import signal_rejected_notice
from egis.signals.reason_words import reason_code

# Compiled once (egis.core.rows); the statuses are literal so SQLite can use the partial index
# of unfinished signals.
_OLDEST_UNFINISHED = RowQuery(
    Signal,
    f"bot_id = %s AND status IN ('{SignalStatus.QUEUED}', '{SignalStatus.EXECUTING}')",
    order_by="id",
    limit=1,
)
# The compare-and-set writes: a claim (queued -> executing) and a finish (executing -> final).
_CLAIM = RowUpdate(Signal, ["status", "claimed_at", "claimed_by"], "id = %s AND status = %s")
# A finish is the claim holder's: a worker whose claim was taken over (its lease ran out) does
# not finish the signal its successor now runs.
_FINISH = RowUpdate(
    Signal,
    ["status", "reason", "reason_code", "processed_at"],
    "id = %s AND status = %s AND claimed_by = %s",
)
# A renewal is the claim holder's too (its lease runs from now).
_RENEW = RowUpdate(Signal, ["claimed_at"], "id = %s AND status = %s AND claimed_by = %s")
# Each claim's own name: this process (egis.ops.worker_start) and a number of its claims.
_CLAIM_NUMBERS = itertools.count(1)


def claim_next(
    bot_id: int, *, reclaim_before: datetime, started_at: datetime | None = None
) -> tuple[Signal, bool] | None:
    """The bot's oldest unfinished signal, claimed by compare-and-set, and whether it is resumed
    (a dead worker's claim taken over); None if it is being executed (by another worker, or by a
    dead one whose claim is younger than the lease). A claim is a dead worker's when it is
    older than the lease (`reclaim_before`), or, at a worker's start (`started_at`), when it was
    taken before that start by a process known to have ended: never another consumer process
    that may still be executing it, nor a thread of this one."""
    oldest = _OLDEST_UNFINISHED.one(bot_id)
    if oldest is None:
        return None
    now = timezone.now()
    me = f"{worker_identity()}#{next(_CLAIM_NUMBERS)}"
    resumed = oldest.status == SignalStatus.EXECUTING
    if resumed:
        if not claim_is_dead(oldest, reclaim_before=reclaim_before, started_at=started_at):
            return None
        # A dead worker's claim: take it over, once (the old claim time is the compare value).
        # Rare (resumes only): the ORM, which compares the datetime the way the database stores it.
        taken = Signal.objects.filter(
            pk=oldest.pk, status=SignalStatus.EXECUTING, claimed_at=oldest.claimed_at
        ).update(claimed_at=now, claimed_by=me)
    else:
        taken = _CLAIM.run([SignalStatus.EXECUTING, now, me], oldest.pk, SignalStatus.QUEUED)
    if not taken:
        return None
    oldest.status, oldest.claimed_at, oldest.claimed_by = SignalStatus.EXECUTING, now, me
    return oldest, resumed


def claim_is_dead(signal: Signal, *, reclaim_before: datetime, started_at: datetime | None) -> bool:
    claimed_at = signal.claimed_at
    if claimed_at is None or claimed_at < reclaim_before:
        return True  # the lease ran out (or the claim was never timed)
    if started_at is None or claimed_at >= started_at:
        return False  # this process's own threads took it since it started: they run it
    # Taken before this process started: by a process that ended, or by another consumer
    # process (another host, or alive on this one) that may be executing it now. A claim
    # without an owner (written by a worker of the version before migration 0004, which may
    # still run during a rolling upgrade) waits for its lease.
    return worker_gone(signal.claimed_by)


def finish(signal: Signal, status: str, reason: str, *, code: str | None = None) -> Signal:
    """End the signal with its reason and the reason's code (derived from the reason unless
    given: a refusal's own code, when the reason wraps it in what went before)."""
    signal.status, signal.reason = status, reason[:REASON_MAX]
    signal.reason_code = reason_code(reason) if code is None else code
    signal.processed_at = timezone.now()
    values = [status, signal.reason, signal.reason_code, signal.processed_at]
    if status != SignalStatus.REJECTED:
        # One statement: atomic alone, no BEGIN/COMMIT around it.
        _FINISH.run(values, signal.pk, SignalStatus.EXECUTING, signal.claimed_by)
        return signal
    with transaction.atomic():  # the refusal and its notice together
        if _FINISH.run(values, signal.pk, SignalStatus.EXECUTING, signal.claimed_by):
            signal_rejected_notice(signal)
    return signal


class TakenOver(Exception):
    pass


def renew(signal: Signal) -> None:
    """Before each further order of a signal: its lease runs from now, so a signal whose orders
    together outlast the lease is not taken for a dead worker's between two of them. Raises
    TakenOver if the claim is no longer this executor's (its lease ran out mid-order)."""
    now = timezone.now()
    if not _RENEW.run([now], signal.pk, SignalStatus.EXECUTING, signal.claimed_by):
        raise TakenOver()
    signal.claimed_at = now
    claim_progressed(signal)
