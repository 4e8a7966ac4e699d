"""Ledger rows as JSON-ready dicts (decimal strings, never floats) for the CLI, API and pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from egis.core.money import plain, usd_str
from egis.ledger.domain import unrealized_pnl
from egis.ledger.models import Order, Position, PositionStatus


def _num(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def order_json(order: Order) -> dict[str, Any]:
    return {
        "id": order.pk,
        "client_order_id": order.client_order_id,
        "venue_order_id": order.venue_order_id,
        "bot_id": order.bot_id,
        "position_id": order.position_id,
        "intent": order.intent,
        "side": order.side,
        "symbol": order.symbol,
        "reduce_only": order.reduce_only,
        "status": order.status,
        "requested_qty": _num(order.requested_qty),
        "requested_usd": usd_str(order.requested_usd),
        "executed_qty": _num(order.executed_qty),
        "avg_price": _num(order.avg_price),
        "cum_quote_usd": usd_str(order.cum_quote_usd),
        "fee_usd": usd_str(order.fee_usd),
        "fee_pending": order.fee_pending,
        "error": order.error,
        "created_at": order.created_at.isoformat() if order.created_at else None,
    }


def position_json(position: Position, *, mark_price: Decimal | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": position.pk,
        "bot_id": position.bot_id,
        "symbol": position.symbol,
        "side": position.side,
        "status": position.status,
        "size_usd": usd_str(position.size_usd),
        "requested_size_usd": usd_str(position.requested_size_usd),
        "qty": _num(position.qty),
        "entry_price": _num(position.entry_price),
        "exit_price": _num(position.exit_price),
        "fees_usd": usd_str(position.fees_usd),
        "realized_pnl_usd": usd_str(position.realized_pnl_usd),
        "net_realized_pnl_usd": usd_str(position.realized_pnl_usd - position.fees_usd),
        "closing": position.closing_order_id is not None,
        "opened_at": position.opened_at.isoformat() if position.opened_at else None,
        "closed_at": position.closed_at.isoformat() if position.closed_at else None,
        "close_reason": position.close_reason,  # exits (issue 12): manual, signal, stop_loss, ...
    }
    if position.status == PositionStatus.OPEN and mark_price is not None:
        data["mark_price"] = _num(mark_price)
        data["unrealized_pnl_usd"] = usd_str(
            unrealized_pnl(position.side, position.entry_price, mark_price, position.qty)
        )
    return data
