"""Pure translations of Binance payloads into our types (no HTTP, no database)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from egis.core.money import plain
from egis.venues.base import OrderReport, SymbolRules, VenueConfigError, VenueOrderStatus

# Fees in these assets are USD for our purpose; any other asset (BNB discount) is kept in `raw`.
USD_FEE_ASSETS = frozenset({"USDT", "USDC", "FDUSD", "BUSD"})

# Every order status of Binance USDⓈ-M (order status enum; EXPIRED_IN_MATCH: expired by the
# exchange's self-trade prevention) in our venue vocabulary. EXPIRED_IN_MATCH is as final as
# EXPIRED: the order will not fill any further. Any other value is not final: keep looking it up.
BINANCE_ORDER_STATUSES: dict[str, VenueOrderStatus] = {
    "NEW": VenueOrderStatus.NEW,
    "PARTIALLY_FILLED": VenueOrderStatus.PARTIALLY_FILLED,
    "FILLED": VenueOrderStatus.FILLED,
    "CANCELED": VenueOrderStatus.CANCELED,
    "REJECTED": VenueOrderStatus.REJECTED,
    "EXPIRED": VenueOrderStatus.EXPIRED,
    "EXPIRED_IN_MATCH": VenueOrderStatus.EXPIRED,
}

# Keys of an order answer worth keeping in orders.venue_response.
ORDER_KEYS = (
    "orderId",
    "clientOrderId",
    "symbol",
    "status",
    "side",
    "type",
    "reduceOnly",
    "positionSide",
    "origQty",
    "executedQty",
    "cumQuote",
    "avgPrice",
    "updateTime",
)


def dec(value: Any, *, field: str) -> Decimal:
    if isinstance(value, float):  # _loads never produces one; refuse rather than round
        raise ValueError(f"{field} arrived as a float")
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{field} is not a number: {str(value)[:30]!r}") from exc
    if not result.is_finite():
        raise ValueError(f"{field} is not finite")
    return result


def symbol_rules_from_exchange_info(info: dict[str, Any], symbol: str) -> SymbolRules:
    """MARKET orders obey MARKET_LOT_SIZE (and LOT_SIZE), MIN_NOTIONAL and PRICE_FILTER."""
    entry = next((s for s in info.get("symbols", []) if s.get("symbol") == symbol), None)
    if entry is None:
        raise VenueConfigError(f"Binance does not list {symbol} on this environment.")
    if entry.get("status", "TRADING") != "TRADING":
        raise VenueConfigError(f"{symbol} is not trading on Binance (status {entry['status']}).")
    filters = {f.get("filterType"): f for f in entry.get("filters", [])}
    lot = filters.get("LOT_SIZE") or {}
    market_lot = filters.get("MARKET_LOT_SIZE") or lot
    if not market_lot:
        raise VenueConfigError(f"Binance sent no lot size filter for {symbol}.")
    step = dec(market_lot["stepSize"], field="stepSize")
    if step <= 0 and lot:
        step = dec(lot["stepSize"], field="stepSize")
    min_qty = max(
        dec(market_lot.get("minQty", "0"), field="minQty"),
        dec(lot.get("minQty", "0"), field="minQty") if lot else Decimal(0),
    )
    max_qty_raw = market_lot.get("maxQty")
    notional = filters.get("MIN_NOTIONAL") or {}
    tick = dec((filters.get("PRICE_FILTER") or {}).get("tickSize", "0"), field="tickSize")
    if step <= 0 or tick <= 0:
        raise VenueConfigError(f"Binance sent an invalid step or tick size for {symbol}.")
    return SymbolRules(
        symbol=symbol,
        step_size=step.normalize(),
        min_qty=min_qty.normalize(),
        min_notional=dec(notional.get("notional", "0"), field="notional").normalize(),
        tick_size=tick.normalize(),
        max_qty=dec(max_qty_raw, field="maxQty").normalize() if max_qty_raw else None,
    )


def order_report(order: dict[str, Any], trades: list[dict[str, Any]] | None) -> OrderReport:
    """Executed quantity and notional from the order; fees from its trades (userTrades).

    The trade list can lag the order (or be unavailable: `trades` None). Unless the listed trades
    cover the executed quantity, the fee is the listed trades' (a lower bound) and `fee_pending`
    says so: a fee of 0 is never booked as if it were complete.
    """
    executed = dec(order.get("executedQty", "0"), field="executedQty")
    cum_quote = dec(order.get("cumQuote", "0"), field="cumQuote")
    avg_raw = order.get("avgPrice")
    avg = dec(avg_raw, field="avgPrice") if avg_raw not in (None, "") else None
    raw: dict[str, Any] = {k: _jsonable(order[k]) for k in ORDER_KEYS if k in order}
    fee = Decimal(0)
    trade_qty = Decimal(0)
    if trades is not None:
        trade_qty = sum((dec(t["qty"], field="qty") for t in trades), Decimal(0))
        trade_quote = sum(
            (dec(t["qty"], field="qty") * dec(t["price"], field="price") for t in trades),
            Decimal(0),
        )
        other: dict[str, Decimal] = {}
        for t in trades:
            amount = dec(t.get("commission", "0"), field="commission")
            asset = str(t.get("commissionAsset", ""))
            if asset in USD_FEE_ASSETS:
                fee += amount
            else:
                other[asset] = other.get(asset, Decimal(0)) + amount
        raw["trades"] = len(trades)
        raw["trade_prices"] = [plain(dec(t["price"], field="price")) for t in trades][:20]
        if other:
            raw["fees_other_assets"] = {k: plain(v) for k, v in other.items()}
        if executed > 0 and cum_quote == 0 and trade_qty == executed:
            cum_quote = trade_quote  # an answer without cumQuote: the trades are exact
    fee_pending = executed > 0 and trade_qty < executed
    if fee_pending:
        raw["fees_note"] = (
            "userTrades unavailable: fee pending"
            if trades is None
            else f"userTrades list {plain(trade_qty)} of {plain(executed)} executed: fee pending"
        )
    if executed > 0 and cum_quote > 0:
        # Binance rounds avgPrice for display; the exact average is cumQuote / executedQty.
        if avg_raw not in (None, ""):
            raw["binance_avg_price"] = plain(dec(avg_raw, field="avgPrice"))
        avg = cum_quote / executed
    elif avg is not None and avg == 0:
        avg = None
    binance_status = str(order.get("status", ""))
    status = BINANCE_ORDER_STATUSES.get(binance_status)
    if status is None:
        raw["status_note"] = f"undocumented status {binance_status[:40]!r}: not final"
        status = VenueOrderStatus.NEW  # an unknown state is not final: keep looking it up
    return OrderReport(
        client_order_id=str(order.get("clientOrderId", "")),
        venue_order_id=str(order.get("orderId", "")),
        status=status,
        executed_qty=executed,
        cum_quote_usd=cum_quote,
        avg_price=avg if executed > 0 else None,
        fee_usd=fee,
        raw=raw,
        fee_pending=fee_pending,
    )


def _jsonable(value: Any) -> Any:
    return plain(value) if isinstance(value, Decimal) else value
