"""The worker's price tick: move the simulated walk, or store Binance's public mark prices, for
every symbol a live bot trades. Pages read what is stored here (with its timestamp), never the
network."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings

from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.venues.prices.sources import (
    BinancePublicPriceSource,
    PriceUnavailable,
    SimulatedPriceSource,
)
from egis.venues.prices.store import price_store

logger = logging.getLogger("egis.venues.prices")


def _live_symbols(*, paper_only: bool) -> list[str]:
    bots = Bot.objects.filter(is_active=True, deleted_at__isnull=True)
    if paper_only:
        bots = bots.filter(venue=Venue.PAPER)
    return sorted(set(bots.values_list("symbol", flat=True).distinct()))


def simulated_prices_advance() -> dict[str, Decimal]:
    if settings.EGIS_PRICE_SOURCE != "simulated":
        return {}
    source = SimulatedPriceSource()
    return {symbol: source.advance(symbol) for symbol in _live_symbols(paper_only=True)}


def binance_prices_poll() -> dict[str, Decimal]:
    """Store Binance's public mark price of each live bot's symbol (a failed symbol keeps its
    older price, whose age then shows it as stale)."""
    if settings.EGIS_PRICE_SOURCE != "binance":
        return {}
    source = BinancePublicPriceSource()
    stored: dict[str, Decimal] = {}
    for symbol in _live_symbols(paper_only=False):
        try:
            price = source.price(symbol)
        except PriceUnavailable as exc:
            logger.warning("price poll: %s", exc)
            continue
        stored[symbol] = price_store(source=source.name, symbol=symbol, price=price).price
    return stored


def prices_refresh() -> dict[str, Decimal]:
    """One tick of the configured feed (the fixed source never moves on its own)."""
    return simulated_prices_advance() or binance_prices_poll()


def tick_delays(tick_seconds: int, period_seconds: int = 60) -> list[int]:
    """The delays (seconds) of the ticks inside one period: 0, t, 2t, ... below the period."""
    step = max(1, tick_seconds)
    return list(range(0, period_seconds, step))
