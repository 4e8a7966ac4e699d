"""Background jobs of the venues domain (discovered by huey.contrib.djhuey)."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from egis.exits.paper_engine import exits_after_price_update
from egis.venues.prices.ticker import simulated_prices_advance


@db_periodic_task(crontab(minute="*"))
def simulated_price_tick() -> None:
    # Huey's smallest period is a minute: take several steps inside it.
    import time

    steps = max(1, 60 // max(1, settings.EGIS_PRICE_TICK_SECONDS))
    for index in range(steps):
        prices = simulated_prices_advance()
        exits_after_price_update(prices)  # exits (issue 12): the paper trigger engine
        if index < steps - 1:
            time.sleep(settings.EGIS_PRICE_TICK_SECONDS)
