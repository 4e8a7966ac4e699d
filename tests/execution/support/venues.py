"""Test venues for recovery: the real VenueAdapter interface around the real paper venue."""

from __future__ import annotations

import sys
from decimal import Decimal

from egis.bots.models import Bot
from egis.venues.base import (
    OrderReport,
    OrderRequest,
    SymbolRules,
    VenueAdapter,
    VenueOutcomeUnknown,
    VenueUnavailable,
)
from egis.venues.paper.venue import PaperVenue


class _Wrapped:
    venue_key = "paper"

    def __init__(self, bot: Bot, *, fill_ratio: Decimal | None = None) -> None:
        self.inner = PaperVenue(bot, fill_ratio=fill_ratio)

    def symbol_rules(self, symbol: str) -> SymbolRules:
        return self.inner.symbol_rules(symbol)

    def reference_price(self, symbol: str) -> Decimal:
        return self.inner.reference_price(symbol)

    def price_buffer(self) -> Decimal:
        return self.inner.price_buffer()

    def market_fill_price(self, symbol: str, *, buying: bool, reference: Decimal) -> Decimal:
        return self.inner.market_fill_price(symbol, buying=buying, reference=reference)

    def prepare(self, *, symbol: str, leverage: int) -> None:
        self.inner.prepare(symbol=symbol, leverage=leverage)

    def place_market_order(self, request: OrderRequest) -> OrderReport:
        return self.inner.place_market_order(request)

    def lookup_order(self, *, symbol: str, client_order_id: str) -> OrderReport:
        return self.inner.lookup_order(symbol=symbol, client_order_id=client_order_id)


class LostRequestVenue(_Wrapped):
    """The request timed out before the venue saw it: outcome unknown, nothing placed."""

    def place_market_order(self, request: OrderRequest) -> OrderReport:
        raise VenueOutcomeUnknown("read timed out", code=-1007)


class ProcessKilled(BaseException):
    """Stands for the process dying while it waits for the venue (not an Exception: nothing in
    the pipeline may catch it, exactly as nothing runs after a SIGKILL)."""


class KilledMidCallVenue(_Wrapped):
    """The order was sent and the process died before the answer: it stays `submitting`."""

    def place_market_order(self, request: OrderRequest) -> OrderReport:
        raise ProcessKilled("killed while waiting for the venue")


class UnreachableLookupVenue(_Wrapped):
    """Orders fill, but every lookup fails to connect."""

    def lookup_order(self, *, symbol: str, client_order_id: str) -> OrderReport:
        raise VenueUnavailable("connect failed")


class BlockingVenue:
    """Pauses at one stage of the venue call until the parent test process says go (or kills it).

    Wraps any real adapter (the paper venue, the Binance adapter pointed at the fake server).
    Stages: `before_venue` (the preflight is committed, the venue not yet called), `in_venue`
    (paper only: the paper venue has written its fill inside a transaction not committed yet;
    for Binance the test holds the fake server's answer instead), and `answered` (the venue has
    answered and the report is about to be returned for settling). The child announces a stage
    with one line `@@stage <name>` on stdout and then blocks reading one line from stdin:
    deterministic, no sleeping.
    """

    def __init__(self, inner: VenueAdapter, *, stage: str) -> None:
        self.inner = inner
        self.venue_key = inner.venue_key
        self.stage = stage

    def symbol_rules(self, symbol: str) -> SymbolRules:
        return self.inner.symbol_rules(symbol)

    def reference_price(self, symbol: str) -> Decimal:
        return self.inner.reference_price(symbol)

    def price_buffer(self) -> Decimal:
        return self.inner.price_buffer()

    def market_fill_price(self, symbol: str, *, buying: bool, reference: Decimal) -> Decimal:
        return self.inner.market_fill_price(symbol, buying=buying, reference=reference)

    def prepare(self, *, symbol: str, leverage: int) -> None:
        self.inner.prepare(symbol=symbol, leverage=leverage)

    def lookup_order(self, *, symbol: str, client_order_id: str) -> OrderReport:
        return self.inner.lookup_order(symbol=symbol, client_order_id=client_order_id)

    def _pause(self, stage: str) -> None:
        if stage != self.stage:
            return
        sys.stdout.write(f"@@stage {stage}\n")
        sys.stdout.flush()
        sys.stdin.readline()

    def place_market_order(self, request: OrderRequest) -> OrderReport:
        from django.db import transaction

        self._pause("before_venue")
        if self.stage == "in_venue" and self.venue_key == "paper":
            with transaction.atomic():
                report = self.inner.place_market_order(request)
                self._pause("in_venue")
        else:
            report = self.inner.place_market_order(request)
        self._pause("answered")
        return report
