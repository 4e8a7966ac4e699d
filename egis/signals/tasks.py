"""Worker jobs for signals: run a bot's queue when a signal arrives, resume at start-up, and a
periodic sweep (a lost enqueue, or a claim whose worker died, is picked up within a minute)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import close_old_connections
from huey.contrib.djhuey import db_task, on_startup

from egis.ops.failures import task_failure_record
from egis.ops.periodic import periodic_once
from egis.ops.worker_start import first_in_worker_process, worker_process_started_at
from egis.signals.demo import demo_signals_run
from egis.signals.processing import signal_process

logger = logging.getLogger("egis.signals")


def _run(*, bot_id: int | None = None, claimed_before: datetime | None = None) -> int:
    try:
        return len(signal_process(bot_id=bot_id, claimed_before=claimed_before))
    except Exception as exc:
        logger.exception("signal processing failed; the next run will try again")
        task_failure_record(task="signals.process", error=exc)
        return 0


@db_task()
def signals_process_bot(bot_id: int) -> int:
    return _run(bot_id=bot_id)


@on_startup()
def signals_resume_on_worker_start() -> None:
    # A claim taken before this process started by a process known to have ended (this host's,
    # egis.ops.worker_start.worker_gone) belongs to a worker that died: resume it now.
    # Huey runs this in every worker thread as it starts (and in a thread started anew), while
    # the threads started before it already execute signals: it sweeps once per process, and
    # leaves the claims this process's own threads took since it started alone (taking those
    # over looked up a live thread's order at the venue before it was sent, and ended its
    # signal `failed` while it executed). Another consumer process's claim (on another host,
    # or alive on this one) is left alone for the same reason: the lease (signals_periodic)
    # takes it over if that process died.
    started = worker_process_started_at()
    if not first_in_worker_process("signals.resume"):
        return
    close_old_connections()
    try:
        _run(claimed_before=started)
    finally:
        close_old_connections()


@periodic_once(every_minutes=1)
def signals_periodic() -> int:
    # Safe twice: each signal is claimed with a lease before it runs, and its orders carry
    # idempotency keys derived from the signal.
    return _run()


@periodic_once(every_minutes=1)
def demo_signals_periodic() -> None:
    # Only in the demo (`make run` sets EGIS_DEMO_SIGNALS_URL): a sender posting over HTTP. Safe
    # twice: it posts targets ("be long", "be flat"), and a target the bot already meets trades
    # nothing.
    try:
        demo_signals_run()
    except Exception as exc:
        logger.exception("demo signal source failed; the next run will try again")
        task_failure_record(task="signals.demo", error=exc)
