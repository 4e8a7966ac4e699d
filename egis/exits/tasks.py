"""Worker jobs of exits: the catch-up evaluation when a worker starts.

The evaluation on every price update runs from the price tick (egis.venues.tasks). An exit
crossed while no worker was running closes at start-up, at the current price, and its audit line
says it was caught up. With several consumers, one starting while another is ticking prices (a
scale-up, a rolling deploy) still closes what it finds crossed at once, but its line only says
"crossed": no worker was down.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import close_old_connections
from huey.contrib.djhuey import on_startup

from egis.exits.paper_engine import exits_check
from egis.ops.periodic import periodic_run_elsewhere
from egis.ops.worker_start import first_in_worker_process
from egis.venues.tasks import PRICE_TICKS_TASK

logger = logging.getLogger("egis.exits")


def exits_catch_up() -> int:
    try:
        # Another consumer claimed a minute of price ticks lately: prices were being watched.
        down = not periodic_run_elsewhere(task=PRICE_TICKS_TASK, within=timedelta(minutes=2))
        report = exits_check(catch_up=down)
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
    # exit found crossed then is audited "crossed while the worker was down").
    if not first_in_worker_process("exits.catch_up"):
        return
    close_old_connections()
    try:
        exits_catch_up()
    finally:
        close_old_connections()
