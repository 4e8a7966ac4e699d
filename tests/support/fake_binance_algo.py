"""Conditional orders of the fake Binance exchange: the Algo Order API (USDⓈ-M, since 2025-12-09).

Endpoints: POST/GET/DELETE /fapi/v1/algoOrder, GET /fapi/v1/openAlgoOrders, GET
/fapi/v1/allAlgoOrders, with the documented parameters (algoType=CONDITIONAL, type, side,
quantity, triggerPrice, callbackRate, activatePrice, workingType, priceProtect, reduceOnly,
closePosition, clientAlgoId) and answers (algoId, clientAlgoId, algoStatus, actualOrderId, ...).

Triggering: a test moves the mark price (`set_mark_price`); every NEW algo order of that symbol
whose condition is met fires as Binance documents it (STOP_MARKET SELL: mark <= triggerPrice;
TAKE_PROFIT_MARKET SELL: mark >= triggerPrice; TRAILING_STOP_MARKET SELL: the highest mark since
placing reached activatePrice and the mark fell callbackRate % below it; BUY mirrored). A fired
one places a normal MARKET order (reduce-only if the algo was) that fills against the account's
netted book, and the algo order shows it as `actualOrderId` with status FINISHED (or TRIGGERED
with `finish_fired_algos = False`). If the matching engine refuses it (reduce-only with nothing
to reduce), the algo order ends REJECTED.

Faults a test can inject: `fail_next_algo(...)` (refusal, 503 or -1007 after booking, -1007
without booking), `fail_next_algo_cancel(...)` (503 after or without cancelling, a refusal),
`end_algo(client_algo_id, "EXPIRED" | "REJECTED" | "CANCELED")` (the system ends it), and
`algo_lookups_not_found(n)` (lag).
"""

from __future__ import annotations

import secrets
from collections import deque
from decimal import Decimal
from typing import Any

from tests.support.fake_binance_exchange import (
    CLIENT_ID_RE,
    MSG_503,
    MSG_1007,
    QTY_RE,
    REJECT,
    UNKNOWN_503_AFTER_BOOKING,
    Fault,
    _Refusal,
    _s,
)

D = Decimal

ALGO_CONDITIONAL_TYPES = frozenset(
    {"STOP_MARKET", "TAKE_PROFIT_MARKET", "STOP", "TAKE_PROFIT", "TRAILING_STOP_MARKET"}
)
# Fault kinds for fail_next_algo / fail_next_algo_cancel.
ALGO_503_AFTER_BOOKING = UNKNOWN_503_AFTER_BOOKING
ALGO_1007_AFTER_BOOKING = "-1007_after_booking"
ALGO_1007_NOT_BOOKED = "-1007_not_booked"
CANCEL_503_AFTER_CANCELLING = "cancel_503_after_cancelling"
CANCEL_503_NOT_CANCELLED = "cancel_503_not_cancelled"


class AlgoOrdersMixin:
    """Mixed into the fake exchange before FakeFuturesExchange (needs its book and orders)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[call-arg]
        self.algo_orders: dict[str, dict[str, Any]] = {}  # by clientAlgoId
        self._algo_extremes: dict[str, Decimal] = {}  # trailing stops: best mark since placing
        self._next_algo_id = 2_000_000_001
        self._algo_faults: deque[Fault] = deque()
        self._cancel_faults: deque[Fault] = deque()
        self._algo_lookups_not_found = 0
        self.finish_fired_algos = True

    # --- controls for tests ---------------------------------------------------------------

    def fail_next_algo(
        self, kind: str, *, code: int | None = None, msg: str = "", http_status: int = 400
    ) -> None:
        self._algo_faults.append(Fault(kind, code, msg, http_status))

    def fail_next_algo_cancel(
        self, kind: str, *, code: int | None = None, msg: str = "", http_status: int = 400
    ) -> None:
        self._cancel_faults.append(Fault(kind, code, msg, http_status))

    def algo_lookups_not_found(self, times: int) -> None:
        self._algo_lookups_not_found = times

    def end_algo(self, client_algo_id: str, status: str) -> None:
        """The system ends a resting algo order (EXPIRED, REJECTED, or CANCELED)."""
        with self._lock:  # type: ignore[attr-defined]
            algo = self.algo_orders[client_algo_id]
            algo["algoStatus"] = status
            algo["updateTime"] = self.server_time_ms()  # type: ignore[attr-defined]

    def open_algos(self, symbol: str | None = None) -> list[dict[str, Any]]:
        return [
            dict(a)
            for a in self.algo_orders.values()
            if a["algoStatus"] == "NEW" and (symbol is None or a["symbol"] == symbol)
        ]

    def set_mark_price(self, symbol: str, price: str | Decimal) -> None:
        super().set_mark_price(symbol, price)  # type: ignore[misc]
        self.evaluate_algos(symbol)

    # --- endpoints ------------------------------------------------------------------------

    def _new_algo_order(self, params: dict[str, str]) -> tuple[int, Any]:
        with self._lock:  # type: ignore[attr-defined]
            fault = self._algo_faults.popleft() if self._algo_faults else None
            if fault is not None and fault.kind == REJECT:
                raise _Refusal(fault.code or -1000, fault.msg or "Rejected.", fault.http_status)
            algo = self._book_algo(
                params, booked=not (fault and fault.kind == ALGO_1007_NOT_BOOKED)
            )
        if fault is not None:
            if fault.kind == ALGO_503_AFTER_BOOKING:
                return 503, {"code": -1000, "msg": MSG_503}
            if fault.kind in (ALGO_1007_AFTER_BOOKING, ALGO_1007_NOT_BOOKED):
                return 408, {"code": -1007, "msg": MSG_1007}
        return 200, dict(algo)

    def _book_algo(self, params: dict[str, str], *, booked: bool) -> dict[str, Any]:
        symbol = self._symbol(params)  # type: ignore[attr-defined]
        spec = self.symbols[symbol]  # type: ignore[attr-defined]
        if params.get("algoType") != "CONDITIONAL":
            raise _Refusal(-1102, "Param 'algoType' only supports CONDITIONAL.")
        order_type = params.get("type", "")
        if order_type not in ALGO_CONDITIONAL_TYPES:
            raise _Refusal(-1116, "Invalid orderType.")
        side = params.get("side")
        if side not in ("BUY", "SELL"):
            raise _Refusal(-1117, "Invalid side.")
        close_position = params.get("closePosition", "false").lower() == "true"
        reduce_only = params.get("reduceOnly", "false").lower() == "true"
        raw_qty = params.get("quantity", "")
        if close_position and (raw_qty or reduce_only):
            raise _Refusal(-1106, "Parameter 'quantity' or 'reduceOnly' sent when not required.")
        if not close_position:
            if not QTY_RE.match(raw_qty):
                raise _Refusal(-1102, "Mandatory parameter 'quantity' was not sent or malformed.")
            qty = D(raw_qty)
            if qty <= 0:
                raise _Refusal(-4003, "Quantity less than or equal to zero.")
            if qty % spec.step_size != 0:
                raise _Refusal(-4023, "Qty not increased by step size.")
        else:
            qty = D(0)
        mark = self.mark_prices[symbol]  # type: ignore[attr-defined]
        trigger = None
        callback = None
        activate = None
        if order_type == "TRAILING_STOP_MARKET":
            try:
                callback = D(params["callbackRate"])
            except (KeyError, ArithmeticError):
                raise _Refusal(-1102, "Mandatory parameter 'callbackRate' was not sent.") from None
            if not D("0.1") <= callback <= D("10"):
                raise _Refusal(-4047, "Callback rate is out of range.")
            if "activatePrice" in params:
                activate = D(params["activatePrice"])
                if (side == "SELL" and activate <= mark) or (side == "BUY" and activate >= mark):
                    raise _Refusal(-2021, "Order would immediately trigger.")
        else:
            try:
                trigger = D(params["triggerPrice"])
            except (KeyError, ArithmeticError):
                raise _Refusal(-1102, "Mandatory parameter 'triggerPrice' was not sent.") from None
            if trigger <= 0 or trigger % spec.tick_size != 0:
                raise _Refusal(-4014, "Price not increased by tick size.")
            if _crossed(order_type, side, trigger, mark):
                raise _Refusal(-2021, "Order would immediately trigger.")
        client_algo_id = params.get("clientAlgoId") or f"fakealgo{secrets.token_hex(7)}"
        if not CLIENT_ID_RE.match(client_algo_id):
            raise _Refusal(-4015, "Client order id is not valid.")
        if client_algo_id in self.algo_orders:
            raise _Refusal(-4116, "ClientOrderId is duplicated.")
        now = self.server_time_ms()  # type: ignore[attr-defined]
        algo = {
            "algoId": self._next_algo_id,
            "clientAlgoId": client_algo_id,
            "algoType": "CONDITIONAL",
            "orderType": order_type,
            "symbol": symbol,
            "side": side,
            "positionSide": "BOTH",
            "timeInForce": "GTC",
            "quantity": _s(qty),
            "algoStatus": "NEW",
            "actualOrderId": "",
            "actualPrice": "0.00000",
            "triggerPrice": _s(trigger) if trigger is not None else "0",
            "price": "0",
            "icebergQuantity": None,
            "selfTradePreventionMode": "EXPIRE_MAKER",
            "workingType": params.get("workingType", "CONTRACT_PRICE"),
            "priceMatch": "NONE",
            "closePosition": close_position,
            "priceProtect": params.get("priceProtect", "FALSE").upper() == "TRUE",
            "reduceOnly": reduce_only,
            "activatePrice": _s(activate) if activate is not None else "",
            "priceRate": _s(callback) if callback is not None else "",
            "createTime": now,
            "updateTime": now,
            "triggerTime": 0,
            "goodTillDate": 0,
        }
        if not booked:
            return algo
        self._next_algo_id += 1
        self.algo_orders[client_algo_id] = algo
        self._algo_extremes[client_algo_id] = mark
        return algo

    def _find_algo(self, params: dict[str, str]) -> dict[str, Any] | None:
        if params.get("algoId"):
            return next(
                (a for a in self.algo_orders.values() if str(a["algoId"]) == params["algoId"]),
                None,
            )
        if params.get("clientAlgoId"):
            return self.algo_orders.get(params["clientAlgoId"])
        raise _Refusal(-1102, "Either 'algoId' or 'clientAlgoId' must be sent.")

    def _get_algo_order(self, params: dict[str, str]) -> tuple[int, Any]:
        with self._lock:  # type: ignore[attr-defined]
            if self._algo_lookups_not_found > 0:
                self._algo_lookups_not_found -= 1
                raise _Refusal(-2013, "Order does not exist.")
            algo = self._find_algo(params)
            if algo is None:
                raise _Refusal(-2013, "Order does not exist.")
            return 200, dict(algo)

    def _cancel_algo_order(self, params: dict[str, str]) -> tuple[int, Any]:
        with self._lock:  # type: ignore[attr-defined]
            fault = self._cancel_faults.popleft() if self._cancel_faults else None
            if fault is not None and fault.kind == REJECT:
                raise _Refusal(fault.code or -1000, fault.msg or "Rejected.", fault.http_status)
            if fault is not None and fault.kind == CANCEL_503_NOT_CANCELLED:
                return 503, {"code": -1000, "msg": MSG_503}
            algo = self._find_algo(params)
            if algo is None or algo["algoStatus"] != "NEW":
                raise _Refusal(-2011, "Unknown order sent.")
            algo["algoStatus"] = "CANCELED"
            algo["updateTime"] = self.server_time_ms()  # type: ignore[attr-defined]
        if fault is not None and fault.kind == CANCEL_503_AFTER_CANCELLING:
            return 503, {"code": -1000, "msg": MSG_503}
        return 200, {
            "algoId": algo["algoId"],
            "clientAlgoId": algo["clientAlgoId"],
            "code": "200",
            "msg": "success",
        }

    def _open_algo_orders(self, params: dict[str, str]) -> tuple[int, Any]:
        symbol = params.get("symbol")
        with self._lock:  # type: ignore[attr-defined]
            return 200, self.open_algos(symbol)

    def _all_algo_orders(self, params: dict[str, str]) -> tuple[int, Any]:
        symbol = self._symbol(params)  # type: ignore[attr-defined]
        limit = int(params.get("limit", "500"))
        with self._lock:  # type: ignore[attr-defined]
            rows = [dict(a) for a in self.algo_orders.values() if a["symbol"] == symbol]
        return 200, rows[-limit:]

    # --- triggering -----------------------------------------------------------------------

    def evaluate_algos(self, symbol: str) -> list[str]:
        """Fire every NEW algo order of the symbol whose condition the mark now meets."""
        fired = []
        with self._lock:  # type: ignore[attr-defined]
            mark = self.mark_prices[symbol]  # type: ignore[attr-defined]
            for cid, algo in list(self.algo_orders.items()):
                if algo["symbol"] != symbol or algo["algoStatus"] != "NEW":
                    continue
                if self._algo_should_fire(cid, algo, mark):
                    self._fire(algo)
                    fired.append(cid)
        return fired

    def _algo_should_fire(self, cid: str, algo: dict[str, Any], mark: Decimal) -> bool:
        side = algo["side"]
        if algo["orderType"] != "TRAILING_STOP_MARKET":
            return _crossed(algo["orderType"], side, D(algo["triggerPrice"]), mark)
        best = self._algo_extremes[cid]
        best = max(best, mark) if side == "SELL" else min(best, mark)
        self._algo_extremes[cid] = best
        rate = D(algo["priceRate"]) / 100
        activate = D(algo["activatePrice"]) if algo["activatePrice"] else None
        if side == "SELL":
            active = activate is None or best >= activate
            return active and mark <= best * (1 - rate)
        active = activate is None or best <= activate
        return active and mark >= best * (1 + rate)

    def _fire(self, algo: dict[str, Any]) -> None:
        now = self.server_time_ms()  # type: ignore[attr-defined]
        algo["triggerTime"] = now
        algo["updateTime"] = now
        params = {
            "symbol": algo["symbol"],
            "side": algo["side"],
            "type": "MARKET",
            "quantity": algo["quantity"],
            "newClientOrderId": f"autoclose{secrets.token_hex(8)}",  # Binance's own id
        }
        if algo["reduceOnly"]:
            params["reduceOnly"] = "true"
        try:
            order = self._book_order(params, None)  # type: ignore[attr-defined]
        except _Refusal:
            algo["algoStatus"] = "REJECTED"
            return
        algo["actualOrderId"] = str(order["orderId"])
        algo["actualPrice"] = order["avgPrice"]
        algo["algoStatus"] = "FINISHED" if self.finish_fired_algos else "TRIGGERED"


def _crossed(order_type: str, side: str, trigger: Decimal, mark: Decimal) -> bool:
    stop = order_type in ("STOP_MARKET", "STOP")
    if side == "SELL":
        return mark <= trigger if stop else mark >= trigger
    return mark >= trigger if stop else mark <= trigger
