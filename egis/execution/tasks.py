"""Background jobs (Huey): in-flight recovery, journal import and the drift check.

`manage.py run_huey` finds this module because egis.execution is an installed app. Recovery and
the journal import also run once when each worker starts (after a crash the first thing to do
is decide what was in flight). The periodic ones run once per period whatever the number of
consumers (egis.ops.periodic); each is also idempotent and safe from several workers at once
(recovery settles by compare-and-set on the order status; the drift check finds an open drift
incident again instead of writing a second one); none lets an exception kill the worker.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from huey.contrib.djhuey import db_task, on_startup

from egis.execution.recovery import recover
from egis.exits.binance_recovery import binance_exits_poll
from egis.ops.failures import task_failure_record
from egis.ops.periodic import periodic_once
from egis.reconcile.drift import drift_check
from egis.venues.prices.ticker import tick_delays

logger = logging.getLogger("egis.tasks")


def run_recovery() -> dict[str, Any] | None:
    try:
        report = recover()
    except Exception as exc:
        logger.exception("recovery run failed; the next run will try again")
        task_failure_record(task="execution.recovery", error=exc)
        return None
    if report.outcomes or (report.journal and report.journal.imported):
        logger.info("recovery: %s", report.summary_line())
    return report.as_json()


def run_drift_check() -> dict[str, Any] | None:
    try:
        report = drift_check()
    except Exception as exc:
        logger.exception("drift check failed; the next run will try again")
        task_failure_record(task="reconcile.drift_check", error=exc)
        return None
    if report.drift or report.exit_drift or report.totals:
        logger.error("drift check: %s", report.summary_line())
    return report.as_json()


def run_binance_exits_poll() -> dict[str, Any] | None:
    try:
        report = binance_exits_poll()
    except Exception as exc:
        logger.exception("Binance exits poll failed; the next run will try again")
        task_failure_record(task="exits.binance_exits_poll", error=exc)
        return None
    if report.steps or report.errors:
        logger.info("Binance exits: %s", report.summary_line())
    return report.as_json()


@on_startup()
def recover_on_worker_start() -> None:
    close_old_connections()
    try:
        run_recovery()
    finally:
        close_old_connections()


@periodic_once(every_minutes=1)
def recovery_periodic() -> dict[str, Any] | None:
    return run_recovery()


@periodic_once(every_minutes=5)
def drift_check_periodic() -> dict[str, Any] | None:
    return run_drift_check()


@db_task()
def binance_exits_poll_tick() -> dict[str, Any] | None:
    close_old_connections()
    return run_binance_exits_poll()


@periodic_once(every_minutes=1)
def binance_exits_poll_schedule() -> None:
    """Resting Binance exits (issue 12): fired ones booked as closes, their siblings cancelled.
    Huey's smallest period is a minute and there is no user-data stream yet: the minute's polls
    are scheduled as short tasks EGIS_EXITS_POLL_SECONDS apart (as the price ticks are), so a
    fired stop's sibling rests at most about that long before it is cancelled. Once per period
    whatever the number of consumers (egis.ops.periodic); a doubled poll is harmless anyway
    (every booking and cancel is a compare-and-set on the exit's status)."""
    for delay in tick_delays(settings.EGIS_EXITS_POLL_SECONDS):
        binance_exits_poll_tick.schedule(delay=delay)
