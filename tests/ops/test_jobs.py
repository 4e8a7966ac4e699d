"""Huey's signals, recorded: a job that raises is a task failure; with the job trace on, every
queued job's enqueue, start and finish is a row (what `make scale-check` proves exactly-once by)."""

from __future__ import annotations

import pytest
from huey.contrib.djhuey import db_task

from egis.ops.jobs import job_trace_connect, job_trace_disconnect
from egis.ops.models import JobRun, TaskFailure

pytestmark = pytest.mark.django_db(transaction=True)


@db_task()
def _ops_test_job(fail: bool) -> int:
    if fail:
        raise LookupError("the job broke")
    return 1


@pytest.fixture
def traced():
    job_trace_connect()
    yield
    job_trace_disconnect()


def test_a_job_that_raises_is_a_task_failure_with_its_class_only():
    _ops_test_job(True)  # immediate mode: runs now; Huey logs the error, the worker lives on
    failure = TaskFailure.objects.get()
    assert failure.task.endswith("_ops_test_job")
    assert failure.error == "LookupError"  # the class, never the message (it may hold data)
    assert ":" in failure.consumer


def test_each_traced_job_is_enqueued_started_and_finished_once(traced):
    _ops_test_job(False)
    _ops_test_job(True)
    runs = list(JobRun.objects.order_by("id").values_list("task", "starts", "finishes"))
    assert [(t.rsplit(".", 1)[-1], s, f) for t, s, f in runs] == [
        ("_ops_test_job", 1, 1),
        ("_ops_test_job", 1, 1),
    ]


def test_without_the_trace_no_job_is_recorded():
    _ops_test_job(False)
    assert JobRun.objects.count() == 0
