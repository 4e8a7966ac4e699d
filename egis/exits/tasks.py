"""Worker jobs of exits: the catch-up evaluation when a worker starts.

The evaluation on every price update runs from the price tick (egis.venues.tasks). An exit
crossed while no worker was running closes at start-up, at the current price, and its audit line
says it was found crossed when a worker started (caught up).
"""

from __future__ import annotations

import logging

from django.db import close_old_connections
from huey.contrib.djhuey import on_startup

from egis.exits.paper_engine import exits_check
from egis.ops.worker_start import first_in_worker_process

logger = logging.getLogger("egis.exits")


def exits_catch_up() -> int:
    try:
        report = exits_check(catch_up=True)
    except Exception:
        logger.exception("exit catch-up failed; the next price update evaluates again")
        return 0
    if report.fired:
        logger.info("exit catch-up at start-up: %s", report.as_json())
    return len(report.fired)


@on_startup()
def exits_catch_up_on_worker_start() -> None:
    # Huey runs this in every worker thread as it starts, and in a thread started anew while
    # the process has been watching prices for hours: only the process's start catches up (an
    # exit found crossed then is audited "found crossed when a worker started"). The line does
    # not say a worker was down: with several consumers, another may have been ticking.
    if not first_in_worker_process("exits.catch_up"):
        return
    close_old_connections()
    try:
        exits_catch_up()
    finally:
        close_old_connections()
