"""Periodic work with several consumers: each periodic task's body runs once per period, however
many consumers enqueue it and whether their copies overlap or follow each other."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils.module_loading import autodiscover_modules
from huey.contrib.djhuey import HUEY

from egis.execution import tasks as execution_tasks
from egis.ops.models import PeriodicRun
from egis.ops.periodic import GUARDED_TASKS, once_per_period, period_start, periodic_claim

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_periods_start_where_the_crontab_fires():
    assert period_start(datetime(2026, 11, 26, 10, 0, 59, tzinfo=UTC), 1) == T0
    assert period_start(datetime(2026, 11, 26, 10, 4, 59, tzinfo=UTC), 5) == T0
    assert period_start(datetime(2026, 11, 26, 10, 5, 0, tzinfo=UTC), 5) == T0 + timedelta(
        minutes=5
    )


def test_one_claim_per_task_and_period_the_next_period_is_free():
    assert periodic_claim(task="t", period=T0, consumer="host-a:1") is True
    assert periodic_claim(task="t", period=T0, consumer="host-b:2") is False
    assert periodic_claim(task="other", period=T0, consumer="host-b:2") is True
    assert periodic_claim(task="t", period=T0 + timedelta(minutes=1), consumer="host-b:2")
    run = PeriodicRun.objects.get(task="t", period_start=T0)
    assert run.consumer == "host-a:1" and run.outcome == "running"


def test_two_copies_one_after_the_other_run_once():
    # Huey's lock_task would let this through: the first copy has finished when the second starts.
    calls = []
    job = once_per_period("tests.sequential", 1)(lambda: calls.append(1) or "done")
    assert job() == "done"
    assert job() is None
    assert calls == [1]
    run = PeriodicRun.objects.get(task="tests.sequential")
    assert run.outcome == "ok" and run.finished_at is not None


def test_eight_consumers_at_once_run_the_body_once():
    calls = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def body() -> None:
        with lock:
            calls.append(threading.get_ident())

    job = once_per_period("tests.racing", 1)(body)

    def consumer() -> None:
        try:
            start.wait()
            job()
        finally:
            connection.close()

    threads = [threading.Thread(target=consumer) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(calls) == 1
    assert PeriodicRun.objects.filter(task="tests.racing").count() == 1


def test_a_body_that_raises_is_recorded_failed_and_still_raises():
    def broken() -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError):
        once_per_period("tests.broken", 1)(broken)()
    assert PeriodicRun.objects.get(task="tests.broken").outcome == "failed"


def test_every_periodic_task_of_egis_runs_once_per_period():
    # A periodic task added later with a bare db_periodic_task would run once per consumer.
    autodiscover_modules("tasks")  # what `manage.py run_huey` does at start
    periodic = [t for t in HUEY._registry._periodic_tasks if t.__module__.startswith("egis.")]
    names = {f"{t.__module__}.{t.__name__}" for t in periodic}
    assert "egis.execution.tasks.recovery_periodic" in names
    assert "egis.venues.tasks.price_ticks_schedule" in names
    assert names <= GUARDED_TASKS, names - GUARDED_TASKS


def test_the_real_job_called_twice_in_a_period_runs_once(paper_bot, journal_path):
    # Immediate mode (the test settings): calling the task runs it now, as a consumer would.
    execution_tasks.recovery_periodic()
    execution_tasks.recovery_periodic()
    runs = PeriodicRun.objects.filter(task="egis.execution.tasks.recovery_periodic")
    assert runs.count() == 1
    assert runs.get().outcome == "ok"
