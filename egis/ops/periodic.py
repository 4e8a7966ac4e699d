"""Periodic work with any number of Huey consumers: each task runs once per period.

Every consumer runs Huey's scheduler, so with two consumers every periodic task is enqueued
twice a period. Before its body runs, a job inserts the row (task, period) into
`ops_periodic_runs`; the database's unique constraint lets exactly one insert win, on SQLite and
PostgreSQL alike, and the losers return at once. Why this and not the alternatives:

- one scheduler consumer (`run_huey --no-periodic` on the others) makes that consumer special:
  killed, no periodic work runs until it is back, and a second one started by mistake doubles
  every run without anyone noticing;
- Huey's `lock_task` (a Redis key) only keeps two runs from overlapping; a run that ends before
  the other consumer's copy starts leaves nothing to stop it, so a short task still ran twice;
- a PostgreSQL advisory lock is PostgreSQL only, and has the same overlap-only meaning.

The row is also the record a check needs (task, period, consumer, outcome). A consumer killed
mid-run leaves its row `running`: that period is not retried (the next period is), which every
periodic task here tolerates, since each one is also safe to run twice (see their docstrings).
"""

from __future__ import annotations

import functools
import logging
import os
import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from egis.ops.models import PeriodicOutcome, PeriodicRun

logger = logging.getLogger("egis.ops")

F = TypeVar("F", bound=Callable[..., Any])

KEEP_RUNS = timedelta(days=7)

# The periodic tasks declared through periodic_once (a test checks that every one of Egis's is).
GUARDED_TASKS: set[str] = set()


def consumer_name() -> str:
    """This process as the records name it: host and pid (one Huey consumer is one process)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def period_start(at: datetime, every_minutes: int) -> datetime:
    """The start of the period `at` falls in: periods of `every_minutes` from the Unix epoch,
    which is where `crontab(minute="*/N")` fires for N dividing 60."""
    seconds = every_minutes * 60
    epoch = int(at.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def periodic_claim(*, task: str, period: datetime, consumer: str) -> bool:
    """True for the one caller that claims (task, period); False for every other."""
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(
                task=task,
                period_start=period,
                consumer=consumer,
                started_at=timezone.now(),
            )
    except IntegrityError:
        return False
    PeriodicRun.objects.filter(task=task, period_start__lt=period - KEEP_RUNS).delete()
    return True


def periodic_finish(*, task: str, period: datetime, outcome: str) -> None:
    PeriodicRun.objects.filter(task=task, period_start=period).update(
        outcome=outcome, finished_at=timezone.now()
    )


def once_per_period(task: str, every_minutes: int) -> Callable[[F], F]:
    """Run the wrapped job only if this call claims the current period of `task`."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            period = period_start(timezone.now(), every_minutes)
            consumer = consumer_name()
            if not periodic_claim(task=task, period=period, consumer=consumer):
                logger.info(
                    "periodic %s for %s already claimed: skipped by %s",
                    task,
                    period.isoformat(),
                    consumer,
                )
                return None
            outcome = PeriodicOutcome.FAILED
            try:
                result = fn(*args, **kwargs)
                outcome = PeriodicOutcome.OK
                return result
            finally:
                periodic_finish(task=task, period=period, outcome=outcome)

        return guarded  # type: ignore[return-value]

    return decorate


def periodic_once(every_minutes: int = 1) -> Callable[[F], Any]:
    """`db_periodic_task` every `every_minutes` (a divisor of 60), run once per period whatever
    the number of consumers. The schedule and the period come from the one number."""
    if every_minutes < 1 or 60 % every_minutes:
        raise ValueError("every_minutes must divide 60")
    minute = "*" if every_minutes == 1 else f"*/{every_minutes}"

    def decorate(fn: F) -> Any:
        task = f"{fn.__module__}.{fn.__name__}"
        GUARDED_TASKS.add(task)
        return db_periodic_task(crontab(minute=minute))(once_per_period(task, every_minutes)(fn))

    return decorate
