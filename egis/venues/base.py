"""The small interface every venue implements, the reports it returns and its errors.

The order pipeline (egis.ledger.pipeline) speaks only this language. A venue knows nothing of
intents or budgets: it is told "buy/sell this quantity, reduce-only or not" and reports what it
did. The exception tells the pipeline what is known about the order's existence:

  VenueRejected        the venue positively refused it: nothing was placed
  VenueUnavailable     the request never left: nothing was placed
  VenueOutcomeUnknown  it may or may not exist: settle only by a positive lookup
  OrderNotFound        a lookup found nothing (right after placing this can be lag)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from egis.core.errors import UserFacingError


@dataclass(frozen=True)
class SymbolRules:
    symbol: str
    step_size: Decimal
    min_qty: Decimal
    min_notional: Decimal
    tick_size: Decimal
    max_qty: Decimal | None = None


@dataclass(frozen=True)
class OrderRequest:
    client_order_id: str
    symbol: str
    side: str  # "buy" | "sell"
    qty: Decimal
    reduce_only: bool


class VenueOrderStatus(StrEnum):
    NEW = "NEW"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    REJECTED = "REJECTED"


# A MARKET order in one of these states will not fill any further.
FINAL_VENUE_STATUSES = frozenset(
    {
        VenueOrderStatus.FILLED,
        VenueOrderStatus.CANCELED,
        VenueOrderStatus.EXPIRED,
        VenueOrderStatus.REJECTED,
    }
)


@dataclass(frozen=True)
class OrderReport:
    """What the venue says it executed for one order. Quantities are executed, never requested."""

    client_order_id: str
    venue_order_id: str
    status: VenueOrderStatus
    executed_qty: Decimal
    cum_quote_usd: Decimal  # sum of qty x price over the fills: executed notional, exact
    avg_price: Decimal | None
    fee_usd: Decimal = Decimal(0)
    raw: dict[str, Any] = field(default_factory=dict)
    # The venue has not listed every fill of the executed quantity yet, so fee_usd is what the
    # listed fills cost (a lower bound): book the fill, complete the fee later (recovery).
    fee_pending: bool = False

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_VENUE_STATUSES


class VenueError(UserFacingError):
    def __init__(self, message: str, *, code: int | None = None, raw: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.raw = raw


class VenueRejected(VenueError):
    """The venue refused the order: it does not exist."""


class VenueUnavailable(VenueError):
    """The request never reached the venue (connect failed): the order does not exist."""


class VenueOutcomeUnknown(VenueError):
    """Timeout, 5xx, -1006/-1007 after sending: the order may or may not exist."""


class OrderNotFound(VenueError):
    """A lookup by client order id found nothing."""


class VenueConfigError(VenueError):
    """The account or symbol cannot be traded as configured (hedge mode, production refused)."""


class VenueAdapter(Protocol):
    venue_key: str

    def symbol_rules(self, symbol: str) -> SymbolRules: ...

    def reference_price(self, symbol: str) -> Decimal: ...

    def price_buffer(self) -> Decimal:
        """Fraction by which a MARKET fill may exceed the reference price (sizes the hold)."""
        ...

    def market_fill_price(self, symbol: str, *, buying: bool, reference: Decimal) -> Decimal:
        """The price a MARKET order sent now would fill at, given the reference price: the paper
        venue's own fill rule (the open form's quote uses it, so it shows what is booked), the
        reference itself where the market decides (Binance)."""
        ...

    def prepare(self, *, symbol: str, leverage: int) -> None:
        """Checks and settings needed before the first order (mode, leverage). No order."""
        ...

    def place_market_order(self, request: OrderRequest) -> OrderReport: ...

    def lookup_order(self, *, symbol: str, client_order_id: str) -> OrderReport: ...
