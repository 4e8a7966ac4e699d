"""Huey's signals, recorded: a job that raised becomes a task failure (always), and with
EGIS_TRACE_JOBS=1 every queued job's enqueue, start and finish becomes a row of `ops_job_runs`
(what `make scale-check` reads to prove each job executed exactly once)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, close_old_connections
from django.db.models import F
from huey.contrib.djhuey import HUEY
from huey.signals import SIGNAL_COMPLETE, SIGNAL_ENQUEUED, SIGNAL_ERROR, SIGNAL_EXECUTING

from egis.core import log_context
from egis.ops.failures import task_failure_record
from egis.ops.models import JobRun
from egis.ops.periodic import consumer_name

logger = logging.getLogger("egis.ops")

_connected: set[str] = set()


def _task_name(task: Any) -> str:
    return str(getattr(task, "name", type(task).__name__))[:100]


def _on_error(signal: str, task: Any, exc: BaseException | None = None) -> None:
    task_failure_record(task=_task_name(task), error=exc or RuntimeError("task failed"))


def _on_job_start(signal: str, task: Any) -> None:
    # A worker job's log lines carry its task id where a request's carry the request id (in
    # immediate mode the job runs inside the request that enqueued it: that id stays).
    if not HUEY.immediate:
        log_context.bind_request(f"job-{task.id}")


def _on_enqueued(signal: str, task: Any) -> None:
    try:
        JobRun.objects.get_or_create(task_id=str(task.id), defaults={"task": _task_name(task)})
    except DatabaseError:
        logger.warning("job trace: could not record the enqueue of %s", task.id)


def _on_executing(signal: str, task: Any) -> None:
    if not HUEY.immediate:
        close_old_connections()
    JobRun.objects.filter(task_id=str(task.id)).update(
        starts=F("starts") + 1, started_by=consumer_name()
    )


def _on_finished(signal: str, task: Any, exc: BaseException | None = None) -> None:
    JobRun.objects.filter(task_id=str(task.id)).update(finishes=F("finishes") + 1)


def failures_connect() -> None:
    if "failures" not in _connected:
        HUEY.signal(SIGNAL_ERROR)(_on_error)
        HUEY.signal(SIGNAL_EXECUTING)(_on_job_start)
        _connected.add("failures")


def job_trace_connect() -> None:
    if "trace" not in _connected:
        HUEY.signal(SIGNAL_ENQUEUED)(_on_enqueued)
        HUEY.signal(SIGNAL_EXECUTING)(_on_executing)
        HUEY.signal(SIGNAL_COMPLETE, SIGNAL_ERROR)(_on_finished)
        _connected.add("trace")


def job_trace_disconnect() -> None:
    if "trace" in _connected:
        HUEY.disconnect_signal(_on_enqueued, SIGNAL_ENQUEUED)
        HUEY.disconnect_signal(_on_executing, SIGNAL_EXECUTING)
        HUEY.disconnect_signal(_on_finished, SIGNAL_COMPLETE, SIGNAL_ERROR)
        _connected.discard("trace")
