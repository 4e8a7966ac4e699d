"""Background jobs of the venues domain (discovered by huey.contrib.djhuey)."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from egis.venues.prices.ticker import simulated_prices_advance


@db_periodic_task(crontab(minute="*"))
def simulated_price_tick() -> None:
    # Huey's smallest period is a minute: take several steps inside it.
    import time

    steps = max(1, 60 // max(1, settings.EGIS_PRICE_TICK_SECONDS))
    for index in range(steps):
        simulated_prices_advance()
        if index < steps - 1:
            time.sleep(settings.EGIS_PRICE_TICK_SECONDS)
