"""Worker jobs: deliver a person's notifications when woken (after the commit of the event),
again when the earliest waiting row is due (Telegram's next slot, a retry), and a periodic sweep
that picks up whatever a lost wake-up or a dead worker left behind."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

from egis.notifications.delivery import DeliveryRun, deliver_due
from egis.ops.failures import task_failure_record
from egis.ops.periodic import periodic_once

logger = logging.getLogger("egis.notifications")


def _run(user_id: int | None) -> DeliveryRun:
    try:
        return deliver_due(user_id=user_id)
    except Exception as exc:
        logger.exception("notification delivery failed; the next run will try again")
        task_failure_record(task="notifications.deliver", error=exc)
        return DeliveryRun()


@db_task()
def notifications_deliver(user_id: int) -> int:
    run = _run(user_id)
    wake = run.wake_in_s
    if wake is not None:
        # Sooner than the sweep: Telegram's next slot is a second away, a first retry 10 s.
        notifications_deliver.schedule((user_id,), delay=max(wake, 0.5))
    return run.sent


@periodic_once(every_minutes=1)
def notifications_sweep() -> int:
    # Safe twice: each row is claimed (a lease, compare-and-set) before it is sent.
    return _run(None).sent
