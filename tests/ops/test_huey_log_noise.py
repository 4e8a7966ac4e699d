"""`make run` logs: Huey's per-task INFO lines ("Added task ...", "Executing ...", "... executed
in ...", "Enqueueing periodic task ...") are quiet; its warnings and errors, its start-up line
and Egis's own INFO lines stay (egis/settings.py LOGGING)."""

from __future__ import annotations

import copy
import io
import logging
import logging.config
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.conf import settings
from huey import MemoryHuey


@pytest.fixture
def console() -> Iterator[io.StringIO]:
    """The settings' LOGGING applied for real, its console writing into a buffer."""
    names = ["huey", "huey.consumer", "huey.consumer.Scheduler", "egis.signals", ""]
    saved = {
        n: (
            logging.getLogger(n).level,
            logging.getLogger(n).handlers[:],
            logging.getLogger(n).propagate,
        )
        for n in names
    }
    stream = io.StringIO()
    config = copy.deepcopy(settings.LOGGING)
    config["handlers"]["console"]["stream"] = stream
    config["handlers"]["console"]["formatter"] = "plain"
    logging.config.dictConfig(config)
    try:
        yield stream
    finally:
        for n, (level, handlers, propagate) in saved.items():
            logger = logging.getLogger(n)
            logger.setLevel(level)
            logger.handlers[:] = handlers
            logger.propagate = propagate


def test_huey_task_lines_are_quiet_but_its_warnings_and_egis_info_stay(console):
    huey = MemoryHuey(immediate=False, utc=True)

    @huey.task()
    def ping() -> str:
        return "pong"

    ping.schedule(delay=timedelta(seconds=30))  # "Added task ... to schedule" (INFO)
    task = huey.dequeue()
    huey.execute(task)  # "Executing ...", "... executed in ..." (INFO) when it runs
    ping()
    huey.execute(huey.dequeue())
    logging.getLogger("huey.consumer.Scheduler").info("Enqueueing periodic task x.")
    logging.getLogger("huey").warning("Task abc timed out after 5s.")
    logging.getLogger("huey").error("Unhandled exception in task abc.")
    logging.getLogger("huey.consumer").info("Huey consumer started with 4 thread, PID 1")
    logging.getLogger("egis.signals").info("signal #7 executed")

    out = console.getvalue()
    assert "Added task" not in out
    assert "Executing" not in out and "executed in" not in out
    assert "Enqueueing periodic task" not in out
    assert "WARNING huey Task abc timed out after 5s." in out
    assert "ERROR huey Unhandled exception in task abc." in out
    assert "Huey consumer started" in out
    assert "INFO egis.signals signal #7 executed" in out
