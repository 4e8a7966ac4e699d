"""The exits' lines in the position's audit trail (`position_events`), and the one place where a
fired exit is booked: `exit_triggered_booked`, which also writes the owner's "exit triggered"
notice in the booking transaction (egis.ledger.notices).
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db import transaction

from egis.core.figures import price_text, qty_text
from egis.core.money import plain
from egis.exits.models import Exit, ExitKind
from egis.ledger.events import event_record
from egis.ledger.models import Order, Position
from egis.ledger.notices import exit_triggered_notice
from egis.venues.selectors import price_ticks

logger = logging.getLogger("egis.exits")


def exit_snapshot(exit_row: Exit) -> dict[str, Any]:
    def s(value: Decimal | None) -> str | None:
        return None if value is None else plain(value)

    return {
        "exit_id": exit_row.pk,
        "kind": exit_row.kind,
        "status": exit_row.status,
        "direction": exit_row.direction,
        "trigger_price": s(exit_row.trigger_price),
        "callback_pct": s(exit_row.callback_pct),
        "activation_price": s(exit_row.activation_price),
        "extreme_price": s(exit_row.extreme_price),
        "quantity": s(exit_row.quantity),
        "client_algo_id": exit_row.client_algo_id,
    }


def describe(exit_row: Exit, *, tick: Decimal | None = None) -> str:
    """ "stop-loss at $171.30", "trailing stop 1% (trigger $180.20)": prices in USD, at the
    symbol's tick when it is given (exact otherwise; egis.core.figures)."""
    label = ExitKind(exit_row.kind).label.lower()
    if exit_row.kind == ExitKind.TRAILING_STOP:
        trigger = (
            f"trigger {price_text(exit_row.trigger_price, tick=tick)}"
            if exit_row.trigger_price is not None
            else f"activates at {price_text(exit_row.activation_price or Decimal(0), tick=tick)}"
        )
        return f"{label} {plain(exit_row.callback_pct or Decimal(0))}% ({trigger})"
    return f"{label} at {price_text(exit_row.trigger_price or Decimal(0), tick=tick)}"


def exit_event(
    exit_row: Exit,
    *,
    position: Position,
    action: str,
    reason: str,
    before: dict[str, Any] | None = None,
    actor: Any = None,
    order: Order | None = None,
) -> None:
    event_record(
        position=position,
        bot_id=exit_row.bot_id,
        order=order,
        action=action,
        before=before or {},
        after=exit_snapshot(exit_row),
        actor=actor,
        reason=reason,
    )


def exit_triggered_booked(
    exit_row: Exit, *, position: Position, order: Order, price: Decimal, catch_up: bool
) -> None:
    """A resting exit fired and its close order is written (inside the close's preflight
    transaction). The audit line says what crossed, and whether the worker caught it up."""
    when = (
        "found crossed when a worker started (no price tick had closed it); closed at the "
        "current price (caught up at start-up)"
        if catch_up
        else "crossed"
    )
    # Prices at the symbol's tick (one read; a trigger is rare), as the Activity tab shows them.
    known = price_ticks([position.symbol])[position.symbol]
    tick = Decimal(known) if known else None
    crossed = f"{describe(exit_row, tick=tick)} {when}: price {price_text(price, tick=tick)}"
    exit_event(
        exit_row,
        position=position,
        action="exit_triggered",
        order=order,
        reason=f"{crossed}; closing {qty_text(position.qty, step=None, symbol=position.symbol)} "
        f"(order {order.client_order_id})",
    )
    # The owner is told in this transaction (a trigger rolled back tells nothing), once per exit.
    exit_triggered_notice(
        bot_id=exit_row.bot_id,
        position_id=position.pk,
        exit_id=exit_row.pk,
        exit_kind=exit_row.kind,
        trigger_price=exit_row.trigger_price,
        detail=crossed,
    )
    exit_id = exit_row.pk
    transaction.on_commit(lambda: exit_triggered_after_commit(exit_id))


def exit_triggered_after_commit(exit_id: int) -> None:
    """Runs once the trigger is committed (the owner's notice was written with it)."""
    logger.info("exit #%s triggered", exit_id)
