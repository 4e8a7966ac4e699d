"""Background jobs of the venues domain (discovered by huey.contrib.djhuey)."""

from __future__ import annotations

from django.conf import settings
from huey.contrib.djhuey import db_task

from egis.exits.paper_engine import exits_after_price_update
from egis.ops.periodic import periodic_once
from egis.venues.prices.ticker import prices_refresh, tick_delays


@db_task()
def price_tick() -> None:
    prices = prices_refresh()
    exits_after_price_update(prices)  # exits (issue 12): the paper trigger engine


@periodic_once(every_minutes=1)
def price_ticks_schedule() -> None:
    # Huey's smallest period is a minute. Sleeping between steps inside one task held a worker
    # for the whole minute (one of the four that also run signals); instead the minute's ticks
    # are scheduled as short tasks, which Huey's scheduler releases on time (it checks every
    # second), so pages see a new price every EGIS_PRICE_TICK_SECONDS. Run once per period
    # whatever the number of consumers (egis.ops.periodic); a tick is one locked update of the
    # price row, so a doubled schedule would only move the walk more often.
    for delay in tick_delays(settings.EGIS_PRICE_TICK_SECONDS):
        price_tick.schedule(delay=delay)
