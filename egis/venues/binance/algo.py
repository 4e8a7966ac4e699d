"""Binance USDⓈ-M conditional orders through the Algo Order API (exits: stop-loss, take-profit,
trailing stop). Since 2025-12-09 `POST /fapi/v1/order` refuses STOP_MARKET, TAKE_PROFIT_MARKET
and TRAILING_STOP_MARKET with -4120: every conditional order goes through the endpoints below,
and nothing here ever sends one to /fapi/v1/order.

Endpoints (Binance USDⓈ-M Futures, Trade > REST API):
  POST   /fapi/v1/algoOrder       New Algo Order: algoType=CONDITIONAL, type, side, quantity,
                                  triggerPrice | callbackRate + activatePrice, workingType,
                                  priceProtect, reduceOnly, clientAlgoId
  GET    /fapi/v1/algoOrder       Query Algo Order by algoId or clientAlgoId
  DELETE /fapi/v1/algoOrder       Cancel Algo Order by algoId or clientAlgoId
  GET    /fapi/v1/openAlgoOrders  Current algo open orders (per symbol: weight 1)
  GET    /fapi/v1/allAlgoOrders   All algo orders of a symbol (active, CANCELED, TRIGGERED,
                                  FINISHED), at most 7 days per query

Algo statuses (the ALGO_UPDATE event's list): NEW (resting), TRIGGERING (crossed, being sent
to the matching engine), TRIGGERED (its order is in the matching engine: `actualOrderId`),
FINISHED (that order filled or was cancelled), CANCELED, REJECTED (refused by the matching
engine, e.g. margin), EXPIRED (cancelled by the system).

Exits are always reduce-only with the bot's own quantity and never `closePosition=true`: an
account + symbol nets every bot that trades it, and a close-all would close the other bots'
shares too. Numbers are exact decimal strings; an answer is parsed with Decimal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from egis.core.money import plain
from egis.venues.base import OrderNotFound, VenueOutcomeUnknown, VenueUnavailable
from egis.venues.binance.client import BinanceClient
from egis.venues.binance.reports import dec

ALGO_ORDER_PATH = "/fapi/v1/algoOrder"
OPEN_ALGO_ORDERS_PATH = "/fapi/v1/openAlgoOrders"
ALL_ALGO_ORDERS_PATH = "/fapi/v1/allAlgoOrders"

STOP_MARKET = "STOP_MARKET"
TAKE_PROFIT_MARKET = "TAKE_PROFIT_MARKET"
TRAILING_STOP_MARKET = "TRAILING_STOP_MARKET"
CONDITIONAL_TYPES = frozenset({STOP_MARKET, TAKE_PROFIT_MARKET, TRAILING_STOP_MARKET})

# Binance's algoStatus values.
ALGO_NEW = "NEW"
ALGO_TRIGGERING = "TRIGGERING"
ALGO_TRIGGERED = "TRIGGERED"
ALGO_FINISHED = "FINISHED"
ALGO_CANCELED = "CANCELED"
ALGO_REJECTED = "REJECTED"
ALGO_EXPIRED = "EXPIRED"
# Still resting (or crossed but its order not in the matching engine yet): nothing to book.
ALGO_WORKING = frozenset({ALGO_NEW, ALGO_TRIGGERING})
# Its order reached the matching engine: `actualOrderId` names the order to book.
ALGO_FIRED = frozenset({ALGO_TRIGGERED, ALGO_FINISHED})
# Ended without an order of ours: the exit no longer protects the position.
ALGO_DEAD = frozenset({ALGO_CANCELED, ALGO_REJECTED, ALGO_EXPIRED})

# "callbackRate: min 0.1, max 10 where 1 for 1%" (New Algo Order).
CALLBACK_RATE_MIN = Decimal("0.1")
CALLBACK_RATE_MAX = Decimal("10")


@dataclass(frozen=True)
class AlgoOrderRequest:
    client_algo_id: str
    symbol: str
    side: str  # "buy" | "sell": the side that closes the position
    order_type: str  # one of CONDITIONAL_TYPES
    quantity: Decimal  # the bot's own quantity, already at the symbol's step
    trigger_price: Decimal | None = None  # STOP_MARKET / TAKE_PROFIT_MARKET
    callback_rate: Decimal | None = None  # TRAILING_STOP_MARKET, in percent (1 = 1 %)
    activate_price: Decimal | None = None  # TRAILING_STOP_MARKET, optional

    def params(self) -> list[tuple[str, str]]:
        if self.order_type not in CONDITIONAL_TYPES:
            raise ValueError(f"{self.order_type!r} is not a conditional order type")
        if not isinstance(self.quantity, Decimal) or self.quantity <= 0:
            raise ValueError(f"invalid exit quantity {self.quantity!r}")
        params = [
            ("algoType", "CONDITIONAL"),
            ("symbol", self.symbol),
            ("side", "BUY" if self.side == "buy" else "SELL"),
            ("type", self.order_type),
            ("quantity", plain(self.quantity)),  # never closePosition: accounts are netted
            ("reduceOnly", "true"),
            ("workingType", "MARK_PRICE"),
        ]
        if self.order_type == TRAILING_STOP_MARKET:
            if self.callback_rate is None:
                raise ValueError("a trailing stop needs a callback rate")
            if not CALLBACK_RATE_MIN <= self.callback_rate <= CALLBACK_RATE_MAX:
                raise ValueError(
                    f"callback rate {plain(self.callback_rate)} % is outside "
                    f"{plain(CALLBACK_RATE_MIN)}..{plain(CALLBACK_RATE_MAX)} %"
                )
            params.append(("callbackRate", plain(self.callback_rate)))
            if self.activate_price is not None:
                params.append(("activatePrice", plain(self.activate_price)))
        else:
            if self.trigger_price is None or self.trigger_price <= 0:
                raise ValueError("a stop or take-profit needs a positive trigger price")
            params.append(("triggerPrice", plain(self.trigger_price)))
            # "priceProtect: used with STOP_MARKET or TAKE_PROFIT_MARKET": no trigger while the
            # mark and the last price are further apart than the symbol's triggerProtect.
            params.append(("priceProtect", "TRUE"))
        params.append(("clientAlgoId", self.client_algo_id))
        return params


@dataclass(frozen=True)
class AlgoReport:
    """What Binance says about one algo order."""

    client_algo_id: str
    algo_id: str
    status: str  # Binance's algoStatus
    order_type: str
    symbol: str
    side: str  # "buy" | "sell"
    quantity: Decimal
    trigger_price: Decimal | None
    actual_order_id: str  # the matching-engine order it placed when it fired ("" before)
    reduce_only: bool
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def working(self) -> bool:
        return self.status in ALGO_WORKING

    @property
    def fired(self) -> bool:
        return self.status in ALGO_FIRED and bool(self.actual_order_id)

    @property
    def dead(self) -> bool:
        return self.status in ALGO_DEAD


# Keys of an algo answer worth keeping with the exit.
ALGO_KEYS = (
    "algoId",
    "clientAlgoId",
    "algoType",
    "orderType",
    "symbol",
    "side",
    "positionSide",
    "quantity",
    "algoStatus",
    "actualOrderId",
    "actualPrice",
    "triggerPrice",
    "workingType",
    "closePosition",
    "priceProtect",
    "reduceOnly",
    "createTime",
    "updateTime",
    "triggerTime",
)


def _jsonable(value: Any) -> Any:
    return plain(value) if isinstance(value, Decimal) else value


def algo_report(answer: dict[str, Any]) -> AlgoReport:
    """A pure translation of one algo order answer (raises ValueError/KeyError if unreadable)."""
    trigger_raw = answer.get("triggerPrice")
    trigger = dec(trigger_raw, field="triggerPrice") if trigger_raw not in (None, "") else None
    actual = answer.get("actualOrderId")
    return AlgoReport(
        client_algo_id=str(answer["clientAlgoId"]),
        algo_id=str(answer["algoId"]),
        status=str(answer.get("algoStatus", "")),
        order_type=str(answer.get("orderType") or answer.get("type") or ""),
        symbol=str(answer.get("symbol", "")),
        side="buy" if str(answer.get("side", "")).upper() == "BUY" else "sell",
        quantity=dec(answer.get("quantity", "0"), field="quantity"),
        trigger_price=trigger if trigger else None,
        actual_order_id="" if actual in (None, "", 0, "0") else str(actual),
        reduce_only=str(answer.get("reduceOnly", "")).lower() == "true",
        raw={k: _jsonable(answer[k]) for k in ALGO_KEYS if k in answer},
    )


def _report_or_unknown(answer: Any, what: str) -> AlgoReport:
    if not isinstance(answer, dict):
        raise VenueOutcomeUnknown(f"Binance answered {what} with an unexpected body")
    try:
        return algo_report(answer)
    except (KeyError, ValueError, TypeError) as exc:
        raise VenueOutcomeUnknown(f"Binance's answer to {what} is unreadable ({exc})") from exc


class BinanceAlgoOrders:
    """The five algo order endpoints on one account's signed client."""

    def __init__(self, client: BinanceClient) -> None:
        self.client = client

    def place(self, request: AlgoOrderRequest) -> AlgoReport:
        """Sent once. Anything short of a clear answer is VenueOutcomeUnknown: the exit may or may
        not rest at Binance, and only a lookup by clientAlgoId can tell."""
        answer = self.client.signed_post(ALGO_ORDER_PATH, request.params(), idempotent=False)
        report = _report_or_unknown(answer, f"the algo order {request.client_algo_id}")
        if report.client_algo_id != request.client_algo_id:
            raise VenueOutcomeUnknown(
                f"Binance accepted {request.client_algo_id} with an answer for "
                f"{report.client_algo_id[:40]!r}"
            )
        return report

    def query(self, *, client_algo_id: str = "", algo_id: str = "") -> AlgoReport:
        """OrderNotFound if Binance does not know it (right after placing: maybe lag)."""
        params = [("algoId", algo_id)] if algo_id else [("clientAlgoId", client_algo_id)]
        answer = self.client.signed_get(ALGO_ORDER_PATH, params)
        if not isinstance(answer, dict):
            raise VenueUnavailable("Binance answered an algo order lookup oddly")
        try:
            report = algo_report(answer)
        except (KeyError, ValueError, TypeError) as exc:
            raise VenueUnavailable(f"Binance's algo order lookup is unreadable ({exc})") from exc
        if client_algo_id and report.client_algo_id != client_algo_id:
            raise VenueUnavailable(f"Binance answered the lookup of {client_algo_id} oddly")
        return report

    def cancel(self, *, symbol: str, client_algo_id: str, algo_id: str = "") -> None:
        """Returns only when Binance confirms the cancel. OrderNotFound: Binance holds no such
        open algo order (it fired, ended, or never existed): the caller looks it up.
        VenueOutcomeUnknown: the cancel may or may not have happened."""
        params = [("symbol", symbol)]
        params.append(("algoId", algo_id) if algo_id else ("clientAlgoId", client_algo_id))
        answer = self.client.signed_delete(ALGO_ORDER_PATH, params)
        if not isinstance(answer, dict):
            raise VenueOutcomeUnknown(f"Binance answered the cancel of {client_algo_id} oddly")
        code = str(answer.get("code", "200"))
        said = str(answer.get("clientAlgoId", client_algo_id))
        if code != "200" or said != client_algo_id:
            raise VenueOutcomeUnknown(
                f"Binance answered the cancel of {client_algo_id} with code {code[:10]} for "
                f"{said[:40]!r}"
            )

    def open_orders(self, symbol: str) -> list[AlgoReport]:
        answer = self.client.signed_get(
            OPEN_ALGO_ORDERS_PATH, [("algoType", "CONDITIONAL"), ("symbol", symbol)]
        )
        rows = answer.get("orders") if isinstance(answer, dict) else answer
        if not isinstance(rows, list):
            raise VenueUnavailable(f"Binance answered the open algo orders of {symbol} oddly")
        try:
            return [algo_report(row) for row in rows]
        except (KeyError, ValueError, TypeError) as exc:
            raise VenueUnavailable(f"Binance's open algo orders are unreadable ({exc})") from exc

    def all_orders(self, symbol: str, *, limit: int = 500) -> list[AlgoReport]:
        """The symbol's algo orders of the last 7 days (Binance's default window)."""
        answer = self.client.signed_get(
            ALL_ALGO_ORDERS_PATH, [("symbol", symbol), ("limit", str(limit))]
        )
        if not isinstance(answer, list):
            raise VenueUnavailable(f"Binance answered the algo orders of {symbol} oddly")
        try:
            return [algo_report(row) for row in answer]
        except (KeyError, ValueError, TypeError) as exc:
            raise VenueUnavailable(f"Binance's algo orders are unreadable ({exc})") from exc


__all__ = [
    "ALGO_DEAD",
    "ALGO_FIRED",
    "ALGO_WORKING",
    "CONDITIONAL_TYPES",
    "STOP_MARKET",
    "TAKE_PROFIT_MARKET",
    "TRAILING_STOP_MARKET",
    "AlgoOrderRequest",
    "AlgoReport",
    "BinanceAlgoOrders",
    "OrderNotFound",
    "algo_report",
]
