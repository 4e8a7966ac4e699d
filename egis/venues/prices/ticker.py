"""Advance the simulated walk for every symbol an active paper bot trades."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.venues.prices.sources import SimulatedPriceSource


def simulated_prices_advance() -> dict[str, Decimal]:
    if settings.EGIS_PRICE_SOURCE != "simulated":
        return {}
    symbols = (
        Bot.objects.filter(venue=Venue.PAPER, is_active=True, deleted_at__isnull=True)
        .values_list("symbol", flat=True)
        .distinct()
    )
    source = SimulatedPriceSource()
    return {symbol: source.advance(symbol) for symbol in sorted(set(symbols))}
