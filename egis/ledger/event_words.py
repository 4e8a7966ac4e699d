"""The audit trail's detail lines (`PositionEvent.reason`) in a trader's words, with units.

"close 0.04 BNB by the stop-loss (the price crossed it at $587.10)", "sold 0.04 BNB at
$586.52: closed by the stop-loss", "close 0.05 BNB by admin alice (Close all)". Nothing reads
these lines back: the machine facts stay in their columns (the event's action, actor and order;
the order's close_reason and idempotency key). An admin's Close all is told by its orders'
idempotency key (CLOSE_ALL_KEY_PREFIX, egis.portfolio.stop), with the admin named by the
order's author.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from egis.core.figures import price_text, qty_text

if TYPE_CHECKING:
    from egis.ledger.domain import Fill
    from egis.ledger.models import Order

# Each close of an admin's Close all is keyed "close-all-<request>-<position>".
CLOSE_ALL_KEY_PREFIX = "close-all-"

_BY_REASON = {
    "manual": "by hand",
    "signal": "by a signal",
    "take_profit": "by the take-profit",
    "stop_loss": "by the stop-loss",
    "trailing_stop": "by the trailing stop",
    "reconcile": "by a reconciliation",
}


def closed_by_reason(close_reason: str) -> str:
    """ "by the stop-loss" for stop_loss (a reason of a form not known here: "by <it>")."""
    return _BY_REASON.get(close_reason, f"by {close_reason}" if close_reason else "")


def is_close_all(order: Order) -> bool:
    return (order.idempotency_key or "").startswith(CLOSE_ALL_KEY_PREFIX)


def close_all_words(admin: str) -> str:
    return f"by admin {admin} (Close all)"


def closed_by(order: Order) -> str:
    """ "by the stop-loss", "by hand", "by admin alice (Close all)"."""
    if is_close_all(order):
        author = order.created_by
        return close_all_words(author.username if author is not None else "an admin")
    return closed_by_reason(order.close_reason)


def closing_words(order: Order, *, crossed_at: Decimal | None = None) -> str:
    """The close sent: "close 0.04 BNB by the stop-loss (the price crossed it at $587.10)". The
    price is the one that crossed the exit, not its trigger ("by the take-profit at $61,096.7"
    read as the take-profit's own price, which was $60,996.1)."""
    qty = qty_text(order.requested_qty, symbol=order.symbol)
    at = (
        f" (the price crossed it at {price_text(crossed_at, tick=None)})"
        if crossed_at is not None
        else ""
    )
    return f"close {qty} {closed_by(order)}{at}".rstrip()


def _via_words(via: str) -> str:
    """Who booked the fill, when not the order's own request."""
    if via == "pipeline":
        return ""
    if via == "recovery":
        return "booked by the recovery after a restart"
    if via.startswith("binance ") and via.endswith(" trigger"):
        kind = via[len("binance ") : -len(" trigger")].replace("_", "-")
        return f"booked from the exchange's {kind} order"
    return f"booked by {via}"  # "incident #7"


def release_words(via: str, error: str) -> str:
    """Why an order's hold or close was released: "the exchange refused it: <why>",
    "found by the recovery after a restart: <why>", "booked by incident #7: <why>"."""
    if via == "venue refusal":
        return f"the exchange refused it: {error}"
    if via == "recovery":
        return f"found by the recovery after a restart: {error}"
    return f"{_via_words(via) or via}: {error}"


def fill_words(order: Order, fill: Fill, *, via: str) -> str:
    """The fill booked: "bought 0.04 BNB at $596.04", "sold 0.04 BNB at $586.52: closed by the
    stop-loss", "nothing filled"; then who booked it when not the request itself."""
    verb = "bought" if order.side == "buy" else "sold"
    if fill.executed_qty > 0:
        done = f"{verb} {qty_text(fill.executed_qty, symbol=order.symbol)}"
        if fill.avg_price is not None:
            done += f" at {price_text(fill.avg_price, tick=None)}"
    else:
        done = "nothing filled"
    if order.intent == "close" and fill.executed_qty > 0:
        why = closed_by(order)
        if why:
            done += f": closed {why}"
    via_text = _via_words(via)
    return f"{done} ({via_text})" if via_text else done
