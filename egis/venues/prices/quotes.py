"""Reading stored prices for the pages: the price, its own timestamp and how old it is.

The pages never ask the network: they read what the worker stored (egis.venues.prices.store), in
one query for any number of symbols. The age and the stale flag are computed here, on the
server's clock, so the page only formats them ("4 s ago") and counts on from there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from egis.core.money import plain
from egis.venues.models import Price, PricePoint
from egis.venues.prices.sources import PriceUnavailable, SimulatedPriceSource


@dataclass(frozen=True)
class Quote:
    symbol: str
    source: str
    price: Decimal
    as_of: datetime  # when the worker (or an operator) stored it


def quotes_of(symbols: Iterable[str]) -> dict[str, Quote | None]:
    """The stored price of each symbol from the configured source, or None when none is known.

    A simulated symbol that was never priced starts its walk here (as SimulatedPriceSource.price
    always did), so a new paper bot shows its starting price before the first tick.
    """
    wanted = sorted(set(symbols))
    source = settings.EGIS_PRICE_SOURCE
    rows = {
        row.symbol: row
        for row in Price.objects.filter(source=source, symbol__in=wanted).only(
            "symbol", "source", "price", "updated_at"
        )
    }
    if source == "simulated":
        for symbol in wanted:
            if symbol not in rows:
                try:
                    SimulatedPriceSource().price(symbol)
                except PriceUnavailable:
                    continue
                row = Price.objects.filter(source=source, symbol=symbol).first()
                if row is not None:
                    rows[symbol] = row
    return {
        symbol: (
            Quote(symbol, row.source, row.price, row.updated_at)
            if (row := rows.get(symbol))
            else None
        )
        for symbol in wanted
    }


def quote_json(symbol: str, quote: Quote | None, *, now: datetime | None = None) -> dict[str, Any]:
    """The price feed of one symbol as the page receives it; `stale` when it is older than
    EGIS_PRICE_STALE_SECONDS (the page then shows the warning instead of a confident figure)."""
    stale_after = settings.EGIS_PRICE_STALE_SECONDS
    if quote is None:
        return {
            "symbol": symbol,
            "price": None,
            "as_of": None,
            "age_s": None,
            "stale": True,
            "stale_after_s": stale_after,
            "source": settings.EGIS_PRICE_SOURCE,
        }
    age = max(0, int(((now or timezone.now()) - quote.as_of).total_seconds()))
    return {
        "symbol": symbol,
        "price": plain(quote.price),
        "as_of": quote.as_of.isoformat(),
        "age_s": age,
        "stale": age > stale_after,
        "stale_after_s": stale_after,
        "source": quote.source,
    }


def price_feeds(symbols: Iterable[str]) -> dict[str, dict[str, Any]]:
    """`quote_json` of each symbol, read in one query and aged on one clock reading."""
    now = timezone.now()
    return {symbol: quote_json(symbol, q, now=now) for symbol, q in quotes_of(symbols).items()}


def price_history(symbol: str, *, limit: int | None = None) -> list[tuple[datetime, Decimal]]:
    """The stored history of one symbol from the configured source, oldest first (bounded by
    EGIS_PRICE_HISTORY_POINTS; `limit` shortens it)."""
    limit = settings.EGIS_PRICE_HISTORY_POINTS if limit is None else limit
    rows = list(
        PricePoint.objects.filter(source=settings.EGIS_PRICE_SOURCE, symbol=symbol)
        .order_by("-id")
        .values_list("at", "price")[:limit]
    )
    rows.reverse()
    return rows
