"""Price sources: where the paper venue and the pages get a symbol's current price.

- simulated: a seeded random walk whose state lives in the `prices` table; the same seed gives the
  same sequence of prices (offline default, demos, tests).
- fixed: the price an operator set with `egis price set`.
- binance: Binance's public mark price from EGIS_BINANCE_PUBLIC_URL (never used in tests).
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Protocol

import httpx
from django.conf import settings
from django.db import transaction

from egis.core.errors import UserFacingError
from egis.core.inputs import QUANTUM
from egis.core.rows import RowQuery
from egis.venues.models import Price, SymbolFilter
from egis.venues.prices.store import price_store
from egis.venues.rules import round_to_tick
from egis.venues.symbol_filters_seed import SIMULATED_START_PRICES


class PriceUnavailable(UserFacingError):
    """No price is known for the symbol: nothing can be sized or filled."""


class PriceSource(Protocol):
    name: str

    def price(self, symbol: str) -> Decimal: ...


def _tick(symbol: str) -> Decimal:
    rule = SymbolFilter.objects.filter(venue_key="paper", symbol=symbol).first()
    return rule.tick_size if rule else QUANTUM


_STORED_PRICE = RowQuery(Price, "source = %s AND symbol = %s", fields=["price"])


def stored_price(source: str, symbol: str) -> Decimal | None:
    """The last stored price of a source, or None (compiled once: every paper order reads it)."""
    row = _STORED_PRICE.one(source, symbol)
    return row.price if row is not None else None


class FixedPriceSource:
    name = "fixed"

    def price(self, symbol: str) -> Decimal:
        price = stored_price(self.name, symbol)
        if price is None:
            raise PriceUnavailable(
                f"No price set for {symbol}: run `egis price set {symbol} PRICE` first."
            )
        return price


class SimulatedPriceSource:
    """Random walk of at most +/-0.5 % per step, quantised to the symbol's tick."""

    name = "simulated"
    MAX_STEP_BPS = 50

    def __init__(self, seed: int | None = None) -> None:
        self.seed = settings.EGIS_PRICE_SEED if seed is None else seed

    def _start(self, symbol: str) -> Price:
        start = SIMULATED_START_PRICES.get(symbol)
        if start is None:
            raise PriceUnavailable(
                f"The simulated feed has no starting price for {symbol}: set one with "
                f"`egis price set {symbol} PRICE`."
            )
        row, _ = Price.objects.get_or_create(
            source=self.name, symbol=symbol, defaults={"price": start, "step": 0}
        )
        return row

    def price(self, symbol: str) -> Decimal:
        price = stored_price(self.name, symbol)
        return price if price is not None else self._start(symbol).price

    def next_price(self, symbol: str, current: Decimal, step: int) -> Decimal:
        # Integer draws keep the walk in Decimal: the same (seed, symbol, step) gives the same move.
        rng = random.Random(f"{self.seed}:{symbol}:{step}")
        move_bps = Decimal(rng.randint(-self.MAX_STEP_BPS, self.MAX_STEP_BPS))
        moved = current * (1 + move_bps / Decimal(10000))
        tick = _tick(symbol)
        return max(round_to_tick(moved, tick, up=move_bps > 0), tick)

    def advance(self, symbol: str) -> Decimal:
        with transaction.atomic():
            row = self._start(symbol)
            moved = self.next_price(symbol, row.price, row.step + 1)
            stored = price_store(source=self.name, symbol=symbol, price=moved, step=row.step + 1)
        return stored.price


class BinancePublicPriceSource:
    name = "binance"

    def __init__(self, base_url: str | None = None) -> None:
        self.base_url = (base_url or settings.EGIS_BINANCE_PUBLIC_URL).rstrip("/")

    def price(self, symbol: str) -> Decimal:
        try:
            response = httpx.get(
                f"{self.base_url}/fapi/v1/premiumIndex", params={"symbol": symbol}, timeout=5.0
            )
            response.raise_for_status()
            return Decimal(str(response.json()["markPrice"]))
        except (httpx.HTTPError, KeyError, ValueError, ArithmeticError) as exc:
            raise PriceUnavailable(f"Binance mark price for {symbol} unavailable: {exc}") from exc


def get_price_source(name: str | None = None) -> PriceSource:
    chosen = name or settings.EGIS_PRICE_SOURCE
    if chosen == "fixed":
        return FixedPriceSource()
    if chosen == "simulated":
        return SimulatedPriceSource()
    if chosen == "binance":
        return BinancePublicPriceSource()
    raise PriceUnavailable(f"Unknown EGIS_PRICE_SOURCE {chosen!r}: use simulated, fixed or binance")


def price_set(*, symbol: str, price: Decimal, source: str | None = None) -> Price:
    """Set the current price of a symbol for the fixed source (or reset the simulated walk)."""
    chosen = source or settings.EGIS_PRICE_SOURCE
    if chosen not in ("fixed", "simulated"):
        raise PriceUnavailable(f"Prices cannot be set for the {chosen!r} source")
    if price <= 0:
        raise PriceUnavailable("A price must be greater than zero")
    return price_store(source=chosen, symbol=symbol.upper(), price=price)
