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

from django.db import close_old_connections
from huey.contrib.djhuey import on_startup

from egis.execution.recovery import recover
from egis.ops.failures import task_failure_record
from egis.ops.periodic import periodic_once
from egis.reconcile.drift import drift_check

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
    if report.drift:
        logger.error("drift check: %s", report.summary_line())
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
