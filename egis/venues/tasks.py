"""Background jobs of the venues domain (discovered by huey.contrib.djhuey)."""

from __future__ import annotations

from django.conf import settings

from egis.ops.periodic import periodic_once
from egis.venues.prices.ticker import simulated_prices_advance


@periodic_once(every_minutes=1)
def simulated_price_tick() -> None:
    # Huey's smallest period is a minute: take several steps inside it. Run twice in a period
    # (it cannot be, see egis.ops.periodic), the walk would only move twice as often: each
    # step is one locked update of the price row.
    import time

    steps = max(1, 60 // max(1, settings.EGIS_PRICE_TICK_SECONDS))
    for index in range(steps):
        simulated_prices_advance()
        if index < steps - 1:
            time.sleep(settings.EGIS_PRICE_TICK_SECONDS)
