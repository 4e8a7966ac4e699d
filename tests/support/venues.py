"""Test venues that implement the real VenueAdapter interface around the real paper venue.

They add observation (every call recorded) and fault hooks (run code right after the venue has
executed), never replace the code under test.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from egis.bots.models import Bot
from egis.venues.base import OrderReport, OrderRequest, SymbolRules
from egis.venues.paper.venue import PaperVenue


class RecordingPaperVenue:
    venue_key = "paper"

    def __init__(
        self,
        bot: Bot,
        *,
        fill_ratio: Decimal | None = None,
        after_fill: Callable[[OrderRequest, OrderReport], None] | None = None,
        raise_after_fill: BaseException | None = None,
    ) -> None:
        self.inner = PaperVenue(bot, fill_ratio=fill_ratio)
        self.after_fill = after_fill
        self.raise_after_fill = raise_after_fill
        self.calls: list[str] = []
        self.orders: list[OrderRequest] = []

    def symbol_rules(self, symbol: str) -> SymbolRules:
        self.calls.append("symbol_rules")
        return self.inner.symbol_rules(symbol)

    def reference_price(self, symbol: str) -> Decimal:
        self.calls.append("reference_price")
        return self.inner.reference_price(symbol)

    def price_buffer(self) -> Decimal:
        return self.inner.price_buffer()

    def market_fill_price(self, symbol: str, *, buying: bool, reference: Decimal) -> Decimal:
        return self.inner.market_fill_price(symbol, buying=buying, reference=reference)

    def prepare(self, *, symbol: str, leverage: int) -> None:
        self.calls.append("prepare")
        self.inner.prepare(symbol=symbol, leverage=leverage)

    def place_market_order(self, request: OrderRequest) -> OrderReport:
        self.calls.append("place_market_order")
        self.orders.append(request)
        report = self.inner.place_market_order(request)
        if self.after_fill is not None:
            self.after_fill(request, report)
        if self.raise_after_fill is not None:
            raise self.raise_after_fill
        return report

    def lookup_order(self, *, symbol: str, client_order_id: str) -> OrderReport:
        self.calls.append("lookup_order")
        return self.inner.lookup_order(symbol=symbol, client_order_id=client_order_id)
