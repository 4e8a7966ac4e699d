"""The sentences a trader reads about one position's fill or close, made on the server with each
figure in its unit at the symbol's precision (egis.core.figures): the open and close flashes,
the per-position close sheet and the Close all sheet. A position's size and its opening fill's
value are the same amount and are shown by one rule (`size_text`), wherever they appear."""

from __future__ import annotations

from decimal import Decimal

from egis.core.figures import price_text, qty_text, size_text, usd_text
from egis.ledger.models import Order, Position, PositionSide
from egis.portfolio.activity import Steps


def _qty(qty: Decimal, symbol: str, steps: Steps) -> str:
    return qty_text(qty, symbol=symbol, step=steps.qty) or ""


def _price(value: Decimal | None, steps: Steps) -> str:
    return price_text(value, tick=steps.price) or "an unknown price"


def opened_text(position: Position, order: Order, steps: Steps, *, again: bool = False) -> str:
    """ "Opened long $23.85: 0.04 BNB at $596.30 (order egis-…)." """
    hint = ""
    if position.size_usd != position.requested_size_usd:
        hint = f" (requested {usd_text(position.requested_size_usd)})"
    return (
        f"{'Already submitted: ' if again else ''}Opened {position.side} "
        f"{size_text(position.size_usd)}{hint}: {_qty(position.qty, position.symbol, steps)} at "
        f"{_price(position.entry_price, steps)} (order {order.client_order_id})."
    )


def closed_text(position: Position, order: Order, net_shown: Decimal, steps: Steps) -> str:
    """ "Closed long #8: sold 0.04 BNB at $587.10, realized +$0.12 after fees (order …)." """
    verb = "sold" if position.side == PositionSide.LONG else "bought back"
    sign = "+" if net_shown > 0 else ""
    return (
        f"Closed {position.side} #{position.pk}: {verb} "
        f"{_qty(order.executed_qty, position.symbol, steps)} at "
        f"{_price(position.exit_price, steps)}, realized {sign}{usd_text(net_shown)} after fees "
        f"(order {order.client_order_id})."
    )


def partly_closed_text(position: Position, order: Order, steps: Steps) -> str:
    if order.executed_qty == 0:
        return (
            f"The close of #{position.pk} was not filled: the position stays open "
            f"(order {order.client_order_id})."
        )
    return (
        f"Position #{position.pk} was partly closed: "
        f"{_qty(order.executed_qty, position.symbol, steps)} filled, "
        f"{_qty(position.qty, position.symbol, steps)} ({size_text(position.size_usd)}) stays "
        f"open (order {order.client_order_id})."
    )


def close_sheet_text(side: str, qty: Decimal, symbol: str, steps: Steps) -> str:
    """What a close does, in a trader's words: a long sells its quantity at market, a short buys
    it back; nothing else on the account is touched (the order can only reduce this position)."""
    verb = "Sells" if side == PositionSide.LONG else "Buys back"
    return (
        f"{verb} {_qty(qty, symbol, steps)} at market to close this {side}; nothing else on the "
        "account is touched."
    )


CLOSE_ALL_TEXT = (
    "Each position below is closed at market with its own order (a long is sold, a short bought "
    "back); nothing else on the account is touched. Recorded in the audit trail."
)
