"""Worker jobs for signals: run a bot's queue when a signal arrives, resume at start-up, and a
periodic sweep (a lost enqueue, or a claim whose worker died, is picked up within a minute)."""

from __future__ import annotations

import logging

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from egis.signals.demo import demo_signals_run
from egis.signals.processing import signal_process

logger = logging.getLogger("egis.signals")


def _run(*, bot_id: int | None = None, reclaim_after_s: float | None = None) -> int:
    try:
        return len(signal_process(bot_id=bot_id, reclaim_after_s=reclaim_after_s))
    except Exception:
        logger.exception("signal processing failed; the next run will try again")
        return 0


@db_task()
def signals_process_bot(bot_id: int) -> int:
    return _run(bot_id=bot_id)


@on_startup()
def signals_resume_on_worker_start() -> None:
    # Every claim found at start-up belongs to a worker that died: resume it now. Should another
    # worker still be running one of them, the orders' idempotency keys keep it exactly once.
    close_old_connections()
    try:
        _run(reclaim_after_s=0)
    finally:
        close_old_connections()


@db_periodic_task(crontab(minute="*"))
def signals_periodic() -> int:
    return _run()


@db_periodic_task(crontab(minute="*"))
def demo_signals_periodic() -> None:
    # Only in the demo (`make run` sets EGIS_DEMO_SIGNALS_URL): a sender posting over HTTP.
    try:
        demo_signals_run()
    except Exception:
        logger.exception("demo signal source failed; the next run will try again")
