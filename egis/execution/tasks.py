"""Background jobs (Huey): in-flight recovery, journal import and the drift check.

`manage.py run_huey` finds this module because egis.execution is an installed app. Recovery and
the journal import also run once when each worker starts (after a crash the first thing to do
is decide what was in flight). Every job is idempotent and safe from several workers at once;
none lets an exception kill the worker.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from egis.execution.recovery import recover
from egis.exits.binance_recovery import binance_exits_poll
from egis.reconcile.drift import drift_check

logger = logging.getLogger("egis.tasks")


def run_recovery() -> dict[str, Any] | None:
    try:
        report = recover()
    except Exception:
        logger.exception("recovery run failed; the next run will try again")
        return None
    if report.outcomes or (report.journal and report.journal.imported):
        logger.info("recovery: %s", report.summary_line())
    return report.as_json()


def run_drift_check() -> dict[str, Any] | None:
    try:
        report = drift_check()
    except Exception:
        logger.exception("drift check failed; the next run will try again")
        return None
    if report.drift or report.exit_drift:
        logger.error("drift check: %s", report.summary_line())
    return report.as_json()


def run_binance_exits_poll() -> dict[str, Any] | None:
    try:
        report = binance_exits_poll()
    except Exception:
        logger.exception("Binance exits poll failed; the next run will try again")
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


@db_periodic_task(crontab(minute="*"))
def recovery_periodic() -> dict[str, Any] | None:
    return run_recovery()


@db_periodic_task(crontab(minute="*/5"))
def drift_check_periodic() -> dict[str, Any] | None:
    return run_drift_check()


@db_periodic_task(crontab(minute="*"))
def binance_exits_poll_periodic() -> None:
    """Resting Binance exits (issue 12): fired ones booked as closes, their siblings cancelled.
    Huey's smallest period is a minute: poll several times inside it (no user-data stream yet),
    so a fired stop's sibling rests at most EGIS_EXITS_POLL_SECONDS before it is cancelled."""
    import time

    every = max(1, settings.EGIS_EXITS_POLL_SECONDS)
    steps = max(1, 60 // every)
    for index in range(steps):
        close_old_connections()
        run_binance_exits_poll()
        if index < steps - 1:
            time.sleep(every)
