"""The exchange behind the fake Binance server: symbol rules, mark prices, one-way books, MARKET
fills in several trades, and the faults a test can queue. No HTTP here (see fake_binance.py).

Every endpoint method takes the request's parameters and returns (HTTP status, JSON body), or
raises _Refusal with a real Binance error code.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Any

from egis.venues.symbol_filters_seed import BINANCE_USDM_FILTERS

D = Decimal

DEFAULT_MARK_PRICES: dict[str, Decimal] = {
    "BTCUSDT": D("60000.0"),
    "ETHUSDT": D("2934.56"),
    "BNBUSDT": D("580.00"),
    "SOLUSDT": D("145.00"),
    "XRPUSDT": D("0.5200"),
    "DOGEUSDT": D("0.12000"),
    "ADAUSDT": D("0.4500"),
}

# Fault names for fail_next_order().
REJECT = "reject"  # refuse before booking with (code, msg, http_status)
UNKNOWN_503_AFTER_BOOKING = "503_after_booking"
TIMEOUT_AFTER_BOOKING = "timeout_after_booking"
TIMEOUT_1007_AFTER_BOOKING = "-1007_after_booking"
TIMEOUT_1007_NOT_BOOKED = "-1007_not_booked"
# Book the order, then answer with the fault's http_status and body (a RawBody, or {code, msg}).
ANSWER_AFTER_BOOKING = "answer_after_booking"

# GET /fapi/v1/userTrades: "limit: Default 500; max 1000." (Binance USDⓈ-M, Account Trade List)
USER_TRADES_DEFAULT_LIMIT = 500
USER_TRADES_MAX_LIMIT = 1000

MSG_1007 = (
    "Timeout waiting for response from backend server. "
    "Send status unknown; execution status unknown."
)
MSG_503 = "Unknown error, please check your request or try again later."
# Refused by POST /fapi/v1/order with -4120 STOP_ORDER_SWITCH_ALGO (Binance change log,
# 2025-11-06: "effective on 2025-12-09 ... migrate conditional orders to the Algo Service").
CONDITIONAL_ORDER_TYPES = frozenset(
    {"STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT", "TRAILING_STOP_MARKET"}
)
CLIENT_ID_RE = re.compile(r"^[\.A-Z\:/a-z0-9_\-]{1,36}$")
QTY_RE = re.compile(r"^\d+(\.\d+)?$")


def _s(value: Decimal) -> str:
    """Binance sends numbers as decimal strings."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


class RawBody(str):
    """An answer body sent as it is (an HTML error page, an empty body), not as JSON."""


class _Refusal(Exception):
    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg
        self.status = status


@dataclass
class Fault:
    kind: str
    code: int | None = None
    msg: str = ""
    http_status: int = 400
    body: Any = None


@dataclass
class SymbolSpec:
    step_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    min_notional: Decimal
    tick_size: Decimal
    status: str = "TRADING"


@dataclass
class Book:
    amt: Decimal = field(default_factory=Decimal)  # signed, one-way mode
    entry: Decimal = field(default_factory=Decimal)


@dataclass
class _State:
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)  # by clientOrderId
    trades: list[dict[str, Any]] = field(default_factory=list)
    books: dict[str, Book] = field(default_factory=dict)
    leverage: dict[str, int] = field(default_factory=dict)


class FakeFuturesExchange:
    def __init__(
        self,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        fill_splits: int = 3,
        hang_seconds: float = 10.0,
    ) -> None:
        self.api_key = api_key or f"fakekey{secrets.token_hex(16)}"
        self.api_secret = api_secret or f"fakesecret{secrets.token_hex(24)}"
        self.keys = {self.api_key: self.api_secret}
        self.symbols: dict[str, SymbolSpec] = {
            sym: SymbolSpec(
                step_size=f["step_size"],
                min_qty=f["min_qty"],
                max_qty=D("1000000"),
                min_notional=f["min_notional"],
                tick_size=f["tick_size"],
            )
            for sym, f in BINANCE_USDM_FILTERS.items()
        }
        self.mark_prices = dict(DEFAULT_MARK_PRICES)
        self.dual_side = False
        self.balance = D("100000")
        self.default_leverage = 20
        self.fill_splits = fill_splits
        self.fill_ratio = D(1)
        self.commission_rate = D("0.0005")
        # Status of a MARKET order that did not fill completely (EXPIRED, or EXPIRED_IN_MATCH when
        # self-trade prevention expired it).
        self.expire_status = "EXPIRED"
        self._trade_lag_requests = 0
        self._trade_lag_last: int | None = None
        self.clock_skew_ms = 0
        self.hang_seconds = hang_seconds
        self.after_booking: Callable[[dict[str, Any]], None] | None = None
        self.state = _State()
        self._faults: deque[Fault] = deque()
        self._lookups_not_found = 0
        self._lookup_faults: deque[Fault] = deque()
        # Extra keys for every positionRisk row (a test can send what v3 does not).
        self.position_risk_extra: dict[str, Any] = {}
        self._next_order_id = 8_000_000_001
        self._next_trade_id = 500_000_001
        self._lock = threading.RLock()
        self._release = threading.Event()

    # --- controls for tests ---------------------------------------------------------------

    def set_mark_price(self, symbol: str, price: str | Decimal) -> None:
        self.mark_prices[symbol] = D(str(price))

    def set_filter(self, symbol: str, **values: str | Decimal) -> None:
        spec = self.symbols[symbol]
        for key, value in values.items():
            setattr(spec, key, value if key == "status" else D(str(value)))

    def fail_next_order(
        self,
        kind: str,
        *,
        code: int | None = None,
        msg: str = "",
        http_status: int = 400,
        body: Any = None,
    ) -> None:
        self._faults.append(Fault(kind, code, msg, http_status, body))

    def lag_trades(self, *, requests: int, last: int | None = None) -> None:
        """Trades of orders booked from now on stay invisible to the next `requests` userTrades
        requests (all of an order's trades, or only its `last` ones): the trade list lags the
        order, as it can at Binance."""
        self._trade_lag_requests = requests
        self._trade_lag_last = last

    def fail_next_lookup(self, *, http_status: int, body: Any) -> None:
        """The next order lookup answers this status and body, whatever the order's state."""
        self._lookup_faults.append(Fault(REJECT, http_status=http_status, body=body))

    def lookups_not_found(self, times: int) -> None:
        """The next `times` order lookups answer -2013 even if the order exists (lag)."""
        self._lookups_not_found = times

    def set_position(self, symbol: str, amt: str | Decimal, entry: str | Decimal = "0") -> None:
        self.state.books[symbol] = Book(D(str(amt)), D(str(entry)))

    def position_amt(self, symbol: str) -> Decimal:
        return self.state.books.get(symbol, Book()).amt

    def server_time_ms(self) -> int:
        return int(time.time() * 1000) + self.clock_skew_ms

    # --- endpoints ------------------------------------------------------------------------

    def _time(self, params: dict[str, str]) -> tuple[int, Any]:
        return 200, {"serverTime": self.server_time_ms()}

    def _exchange_info(self, params: dict[str, str]) -> tuple[int, Any]:
        symbols = []
        for sym, spec in self.symbols.items():
            lot = {
                "stepSize": _s(spec.step_size),
                "minQty": _s(spec.min_qty),
                "maxQty": _s(spec.max_qty),
            }
            symbols.append(
                {
                    "symbol": sym,
                    "pair": sym,
                    "contractType": "PERPETUAL",
                    "status": spec.status,
                    "baseAsset": sym.removesuffix("USDT"),
                    "quoteAsset": "USDT",
                    "marginAsset": "USDT",
                    "filters": [
                        {
                            "filterType": "PRICE_FILTER",
                            "minPrice": _s(spec.tick_size),
                            "maxPrice": "1000000",
                            "tickSize": _s(spec.tick_size),
                        },
                        {"filterType": "LOT_SIZE", **lot},
                        {"filterType": "MARKET_LOT_SIZE", **lot},
                        {"filterType": "MAX_NUM_ORDERS", "limit": 200},
                        {"filterType": "MIN_NOTIONAL", "notional": _s(spec.min_notional)},
                    ],
                    "orderTypes": ["LIMIT", "MARKET"],
                }
            )
        return 200, {"timezone": "UTC", "serverTime": self.server_time_ms(), "symbols": symbols}

    def _premium_index(self, params: dict[str, str]) -> tuple[int, Any]:
        symbol = params.get("symbol", "")
        if symbol not in self.mark_prices:
            raise _Refusal(-1121, "Invalid symbol.")
        mark = _s(self.mark_prices[symbol])
        return 200, {
            "symbol": symbol,
            "markPrice": mark,
            "indexPrice": mark,
            "lastFundingRate": "0.00010000",
            "time": self.server_time_ms(),
        }

    def _dual(self, params: dict[str, str]) -> tuple[int, Any]:
        return 200, {"dualSidePosition": self.dual_side}

    def _leverage(self, params: dict[str, str]) -> tuple[int, Any]:
        symbol = self._symbol(params)
        try:
            leverage = int(params.get("leverage", ""))
        except ValueError:
            raise _Refusal(-1102, "Mandatory parameter 'leverage' was not sent.") from None
        if not 1 <= leverage <= 125:
            raise _Refusal(-4028, f"Leverage {leverage} is not valid")
        with self._lock:
            self.state.leverage[symbol] = leverage
        return 200, {"leverage": leverage, "maxNotionalValue": "1000000", "symbol": symbol}

    def _symbol(self, params: dict[str, str]) -> str:
        symbol = params.get("symbol", "")
        if symbol not in self.symbols:
            raise _Refusal(-1121, "Invalid symbol.")
        return symbol

    def _new_order(self, params: dict[str, str]) -> tuple[int, Any]:
        with self._lock:
            fault = self._faults.popleft() if self._faults else None
            if fault is not None and fault.kind == REJECT:
                raise _Refusal(fault.code or -1000, fault.msg or "Rejected.", fault.http_status)
            order = self._book_order(params, fault)
        if fault is not None and fault.kind == TIMEOUT_1007_NOT_BOOKED:
            return 408, {"code": -1007, "msg": MSG_1007}
        if self.after_booking is not None:
            self.after_booking(dict(order))
        if fault is not None:
            if fault.kind == UNKNOWN_503_AFTER_BOOKING:
                return 503, {"code": -1000, "msg": MSG_503}
            if fault.kind == TIMEOUT_1007_AFTER_BOOKING:
                return 408, {"code": -1007, "msg": MSG_1007}
            if fault.kind == TIMEOUT_AFTER_BOOKING:
                self._release.wait(self.hang_seconds)
            if fault.kind == ANSWER_AFTER_BOOKING:
                return fault.http_status, fault.body
        if params.get("newOrderRespType", "ACK") == "ACK":
            return 200, {
                **order,
                "status": "NEW",
                "executedQty": "0",
                "cumQuote": "0",
                "avgPrice": "0.00",
            }
        return 200, order

    def _book_order(self, params: dict[str, str], fault: Fault | None) -> dict[str, Any]:
        symbol = self._symbol(params)
        spec = self.symbols[symbol]
        side = params.get("side")
        if side not in ("BUY", "SELL"):
            raise _Refusal(-1117, "Invalid side.")
        if params.get("type") in CONDITIONAL_ORDER_TYPES:
            # Since 2025-12-09 conditional orders live in the Algo Service (/fapi/v1/algoOrder).
            raise _Refusal(
                -4120,
                "Order type not supported for this endpoint. "
                "Please use the Algo Order API endpoints instead.",
            )
        if params.get("type") != "MARKET":
            raise _Refusal(-1116, "Invalid orderType.")
        position_side = params.get("positionSide", "BOTH")
        if self.dual_side == (position_side == "BOTH"):
            raise _Refusal(-4061, "Order's position side does not match user's setting.")
        raw_qty = params.get("quantity", "")
        if not QTY_RE.match(raw_qty):
            raise _Refusal(
                -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."
            )
        qty = D(raw_qty)
        step_places = max(0, -spec.step_size.normalize().as_tuple().exponent)  # type: ignore[operator]
        if "." in raw_qty and len(raw_qty.split(".")[1].rstrip("0")) > step_places:
            raise _Refusal(-1111, "Precision is over the maximum defined for this asset.")
        if qty <= 0:
            raise _Refusal(-4003, "Quantity less than or equal to zero.")
        if qty < spec.min_qty:
            raise _Refusal(-4004, "Quantity less than min quantity.")
        if qty % spec.step_size != 0:
            raise _Refusal(-4023, "Qty not increased by step size.")
        if qty > spec.max_qty:
            raise _Refusal(-4005, "Quantity greater than max quantity.")
        client_id = params.get("newClientOrderId") or f"fake{secrets.token_hex(8)}"
        if not CLIENT_ID_RE.match(client_id):
            raise _Refusal(-4015, "Client order id is not valid.")
        if client_id in self.state.orders:
            raise _Refusal(-4116, "ClientOrderId is duplicated.")
        reduce_only = params.get("reduceOnly", "false").lower() == "true"
        mark = self.mark_prices[symbol]
        book = self.state.books.setdefault(symbol, Book())
        signed = qty if side == "BUY" else -qty
        if reduce_only:
            if book.amt == 0 or (book.amt > 0) == (signed > 0) or qty > abs(book.amt):
                raise _Refusal(-2022, "ReduceOnly Order is rejected.")
        else:
            if qty * mark < spec.min_notional:
                raise _Refusal(
                    -4164,
                    f"Order's notional must be no smaller than {_s(spec.min_notional)} "
                    "(unless you choose reduce only).",
                )
            leverage = self.state.leverage.get(symbol, self.default_leverage)
            if qty * mark / leverage > self.balance - self._used_margin():
                raise _Refusal(-2019, "Margin is insufficient.")
        if fault is not None and fault.kind == TIMEOUT_1007_NOT_BOOKED:
            return {}
        executed = ((qty * self.fill_ratio) / spec.step_size).to_integral_value(
            rounding=ROUND_FLOOR
        ) * spec.step_size
        order_id = self._next_order_id
        self._next_order_id += 1
        fills = self._split(executed, mark, spec, buy=side == "BUY")
        now = self.server_time_ms()
        cum_quote = D(0)
        lag_from = len(fills) - (self._trade_lag_last or len(fills))
        for index, (fill_qty, price) in enumerate(fills):
            quote = fill_qty * price
            cum_quote += quote
            self.state.trades.append(
                {
                    "symbol": symbol,
                    "id": self._next_trade_id,
                    "orderId": order_id,
                    "side": side,
                    "price": _s(price),
                    "qty": _s(fill_qty),
                    "quoteQty": _s(quote),
                    "realizedPnl": "0",
                    "commission": _s(
                        (quote * self.commission_rate).quantize(D("0.00000001"), ROUND_HALF_EVEN)
                    ),
                    "commissionAsset": "USDT",
                    "time": now,
                    "positionSide": "BOTH",
                    "buyer": side == "BUY",
                    "maker": False,
                    "_hidden_for": self._trade_lag_requests if index >= lag_from else 0,
                }
            )
            self._next_trade_id += 1
        if executed > 0:
            avg = cum_quote / executed
            self._apply(book, executed if side == "BUY" else -executed, avg)
        else:
            avg = D(0)
        order = {
            "orderId": order_id,
            "symbol": symbol,
            "status": "FILLED" if executed == qty else self.expire_status,
            "clientOrderId": client_id,
            "price": "0",
            "avgPrice": _s(avg.quantize(D("0.00001"), ROUND_HALF_EVEN)) if executed else "0",
            "origQty": _s(qty),
            "executedQty": _s(executed),
            "cumQty": _s(executed),
            "cumQuote": _s(cum_quote),
            "timeInForce": "GTC",
            "type": "MARKET",
            "reduceOnly": reduce_only,
            "closePosition": False,
            "side": side,
            "positionSide": "BOTH",
            "stopPrice": "0",
            "workingType": "CONTRACT_PRICE",
            "priceProtect": False,
            "origType": "MARKET",
            "updateTime": now,
        }
        self.state.orders[client_id] = order
        return order

    def _split(
        self, executed: Decimal, mark: Decimal, spec: SymbolSpec, *, buy: bool
    ) -> list[tuple[Decimal, Decimal]]:
        """Several trades at prices walking away from the mark, one tick at a time."""
        units = int(executed / spec.step_size)
        if units == 0:
            return []
        n = max(1, min(self.fill_splits, units))
        base, extra = divmod(units, n)
        price = (mark / spec.tick_size).to_integral_value(ROUND_FLOOR) * spec.tick_size
        fills = []
        for i in range(n):
            count = base + (1 if i < extra else 0)
            step = spec.tick_size * i
            fills.append((spec.step_size * count, price + step if buy else price - step))
        return fills

    def _apply(self, book: Book, signed: Decimal, price: Decimal) -> None:
        new_amt = book.amt + signed
        if book.amt == 0 or (book.amt > 0) == (signed > 0):
            book.entry = (abs(book.amt) * book.entry + abs(signed) * price) / abs(new_amt)
        elif new_amt != 0 and (new_amt > 0) != (book.amt > 0):
            book.entry = price  # flipped through zero
        book.amt = new_amt
        if new_amt == 0:
            book.entry = D(0)

    def _used_margin(self) -> Decimal:
        total = D(0)
        for symbol, book in self.state.books.items():
            leverage = self.state.leverage.get(symbol, self.default_leverage)
            total += abs(book.amt) * book.entry / leverage
        return total

    def _get_order(self, params: dict[str, str]) -> tuple[int, Any]:
        symbol = self._symbol(params)
        with self._lock:
            if self._lookup_faults:
                fault = self._lookup_faults.popleft()
                return fault.http_status, fault.body
            if self._lookups_not_found > 0:
                self._lookups_not_found -= 1
                raise _Refusal(-2013, "Order does not exist.")
            order = None
            if params.get("origClientOrderId"):
                order = self.state.orders.get(params["origClientOrderId"])
            elif params.get("orderId"):
                order = next(
                    (
                        o
                        for o in self.state.orders.values()
                        if str(o["orderId"]) == params["orderId"]
                    ),
                    None,
                )
            else:
                raise _Refusal(
                    -1102,
                    "Param 'origClientOrderId' or 'orderId' must be sent, "
                    "but both were empty/null!",
                )
            if order is None or order["symbol"] != symbol:
                raise _Refusal(-2013, "Order does not exist.")
            return 200, dict(order)

    def _user_trades(self, params: dict[str, str]) -> tuple[int, Any]:
        """Ascending by trade id; `limit` (default 500, max 1000) trades from `fromId` on, or the
        most recent ones without it; trades still lagging are not listed yet."""
        symbol = self._symbol(params)
        try:
            limit = int(params.get("limit", USER_TRADES_DEFAULT_LIMIT))
            from_id = int(params["fromId"]) if "fromId" in params else None
        except ValueError:
            raise _Refusal(-1100, "Illegal characters found in a parameter.") from None
        if not 1 <= limit <= USER_TRADES_MAX_LIMIT:
            raise _Refusal(-1130, "Data sent for parameter 'limit' is not valid.")
        if from_id is not None and ("startTime" in params or "endTime" in params):
            raise _Refusal(-1128, "Combination of optional parameters invalid.")
        with self._lock:
            trades = [t for t in self.state.trades if t["symbol"] == symbol]
            visible = [t for t in trades if t["_hidden_for"] == 0]
            for trade in trades:
                if trade["_hidden_for"] > 0:
                    trade["_hidden_for"] -= 1
            if params.get("orderId"):
                visible = [t for t in visible if str(t["orderId"]) == params["orderId"]]
            if from_id is not None:
                page = [t for t in visible if t["id"] >= from_id][:limit]
            else:
                page = visible[-limit:]
            return 200, [{k: v for k, v in t.items() if not k.startswith("_")} for t in page]

    def _position_risk(self, params: dict[str, str]) -> tuple[int, Any]:
        rows = []
        with self._lock:
            for symbol, book in sorted(self.state.books.items()):
                if book.amt == 0 or (params.get("symbol") and params["symbol"] != symbol):
                    continue
                mark = self.mark_prices[symbol]
                rows.append(
                    {
                        "symbol": symbol,
                        "positionSide": "BOTH",
                        "positionAmt": _s(book.amt),
                        "entryPrice": _s(book.entry.quantize(D("0.00000001"), ROUND_HALF_EVEN)),
                        "breakEvenPrice": _s(book.entry.quantize(D("0.00000001"), ROUND_HALF_EVEN)),
                        "markPrice": _s(mark),
                        "unRealizedProfit": _s(
                            ((mark - book.entry) * book.amt).quantize(
                                D("0.00000001"), ROUND_HALF_EVEN
                            )
                        ),
                        "liquidationPrice": "0",
                        "isolatedMargin": "0",
                        "notional": _s(book.amt * mark),
                        "marginAsset": "USDT",
                        "isolatedWallet": "0",
                        "initialMargin": "0",
                        "maintMargin": "0",
                        "positionInitialMargin": "0",
                        "openOrderInitialMargin": "0",
                        "adl": 0,
                        "bidNotional": "0",
                        "askNotional": "0",
                        "updateTime": self.server_time_ms(),
                        **self.position_risk_extra,
                    }
                )
        return 200, rows
