"""The append-only audit trail (`position_events`)."""

from __future__ import annotations

from typing import Any

from egis.core.money import plain
from egis.core.row_saves import row_insert
from egis.ledger.models import Order, Position, PositionEvent


def position_snapshot(position: Position) -> dict[str, Any]:
    def s(value: Any) -> Any:
        return None if value is None else plain(value)

    return {
        "status": position.status,
        "side": position.side,
        "size_usd": s(position.size_usd),
        "requested_size_usd": s(position.requested_size_usd),
        "qty": s(position.qty),
        "entry_price": s(position.entry_price),
        "exit_price": s(position.exit_price),
        "fees_usd": s(position.fees_usd),
        "realized_pnl_usd": s(position.realized_pnl_usd),
        "closing_order_id": position.closing_order_id,
    }


def event_record(**fields: Any) -> PositionEvent:
    """Append one event now (its own INSERT)."""
    return row_insert(event_row(**fields))


def event_row(
    *,
    position: Position | None,
    bot_id: int,
    action: str,
    order: Order | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: Any = None,
    reason: str = "",
) -> PositionEvent:
    """The event row, not yet written (for egis.core.row_writes, with the writes around it)."""
    return PositionEvent(
        position=position,
        order=order,
        bot_id=bot_id,
        action=action,
        before=before or {},
        after=after or {},
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=getattr(actor, "username", None) or "system",
        reason=reason,
    )
