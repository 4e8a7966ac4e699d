"""Background jobs (Huey): in-flight recovery, journal import and the drift check.

`manage.py run_huey` finds this module because egis.execution is an installed app. Recovery and
the journal import also run once when each worker starts (after a crash the first thing to do
is decide what was in flight). Every job is idempotent and safe from several workers at once;
none lets an exception kill the worker.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from egis.execution.recovery import recover
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
    if report.drift or report.totals:
        logger.error("drift check: %s", report.summary_line())
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
