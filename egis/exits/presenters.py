"""Exits as JSON-ready dicts (decimal strings) and the sentences the pages show. The pages only
format what is here; the distance to each trigger is computed on the server."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from egis.core.figures import price_text
from egis.core.money import plain
from egis.exits.models import BROKEN_EXIT_STATUSES, Exit, ExitKind, ExitStatus
from egis.exits.selectors import (
    close_all_admins,
    exits_shown_for,
    fired_exits_of,
    open_positions_with_exits,
)
from egis.ledger.event_words import close_all_words
from egis.ledger.models import CloseReason, Position
from egis.venues.selectors import stored_price

_PCT = Decimal("0.01")


def _num(value: Decimal | None) -> str | None:
    return None if value is None else plain(value)


def distance_pct(trigger: Decimal | None, mark: Decimal | None) -> str | None:
    """How far the price must move to reach the trigger, in % of the price (signed)."""
    if trigger is None or mark is None or mark <= 0:
        return None
    return str(((trigger - mark) / mark * 100).quantize(_PCT, rounding=ROUND_HALF_EVEN))


def from_entry_pct(trigger: Decimal | None, entry: Decimal | None) -> str | None:
    """Where the trigger sits from the position's entry price, in % of the entry (signed): the
    percentage the Edit exits sheet and the Open form take."""
    return distance_pct(trigger, entry)


def exit_label(kind: str) -> str:
    return str(ExitKind(kind).label) if kind in ExitKind.values else kind


def exit_json(
    row: Exit, *, mark_price: Decimal | None = None, entry_price: Decimal | None = None
) -> dict[str, Any]:
    return {
        "id": row.pk,
        "position_id": row.position_id,
        "bot_id": row.bot_id,
        "venue": row.venue,
        "symbol": row.symbol,
        "kind": row.kind,
        "label": exit_label(row.kind),
        "status": row.status,
        "direction": row.direction,
        "trigger_price": _num(row.trigger_price),
        "callback_pct": _num(row.callback_pct),
        "activation_price": _num(row.activation_price),
        "extreme_price": _num(row.extreme_price),
        "spec": row.spec,
        "quantity": _num(row.quantity),
        "client_algo_id": row.client_algo_id,
        "venue_algo_id": row.venue_algo_id,
        "error": row.error,
        "fired_price": _num(row.fired_price),
        "distance_pct": distance_pct(row.trigger_price, mark_price),  # from the current price
        "from_entry_pct": from_entry_pct(row.trigger_price, entry_price),
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "ended_at": row.ended_at.isoformat() if row.ended_at else None,
    }


def no_active_stop(exits: list[Exit]) -> str:
    """The loud line for a position whose protection broke, or ""."""
    broken = [e for e in exits if e.status in BROKEN_EXIT_STATUSES]
    if not broken:
        return ""
    names = ", ".join(f"{exit_label(e.kind).lower()} {e.status}" for e in broken)
    has_stop = any(
        e.status in (ExitStatus.RESTING, ExitStatus.PLACING)
        and e.kind in (ExitKind.STOP_LOSS, ExitKind.TRAILING_STOP)
        for e in exits
    )
    head = "Exit not active" if has_stop else "No active stop"
    detail = next((e.error for e in broken if e.error), "")
    return f"{head}: {names}" + (f" ({detail})" if detail else "")


def close_reason_text(position: Position, fired: Exit | None, tick: Decimal | None = None) -> str:
    """ "Stop-loss (trigger $171.30)", "Take-profit (trigger $3,000.00)", "Closed by hand",
    "Signal" (the trigger at the symbol's `tick` when known). Said as the trigger, not "at": the
    exit's fill is the row's exit price, and "Take-profit at $632.37" beside a fill at 633.32 read
    as if the trade had closed at $632.37."""
    reason = position.close_reason
    if not reason:
        return ""
    if fired is not None and reason == fired.kind:
        trigger = fired.trigger_price
        if trigger is not None:
            return f"{exit_label(fired.kind)} (trigger {price_text(trigger, tick=tick)})"
    return str(CloseReason(reason).label) if reason in CloseReason.values else reason


def rows_with_exits(
    rows: list[dict[str, Any]], positions: list[Position], *, tick: Decimal | None = None
) -> None:
    """Add the exits to the pages' position rows (open: `exits` and `exits_alert`; closed:
    `close_reason_text`). Called by egis.bots.selectors.bot_detail."""
    by_id = {p.pk: p for p in positions}
    shown = exits_shown_for(r["id"] for r in rows if r["status"] == "open")
    fired = fired_exits_of(r["id"] for r in rows if r["status"] == "closed")
    # "Closed by admin alice (Close all)" rather than the trader's own "Closed by hand".
    by_admin = close_all_admins(
        r["id"] for r in rows if r["status"] == "closed" and by_id[r["id"]].close_reason == "manual"
    )
    for row in rows:
        position = by_id[row["id"]]
        mark = Decimal(row["mark_price"]) if row.get("mark_price") else None
        exits = shown.get(row["id"], [])
        entry = position.entry_price
        row["exits"] = [exit_json(e, mark_price=mark, entry_price=entry) for e in exits]
        row["exits_alert"] = no_active_stop(exits)
        row["close_reason"] = position.close_reason
        row["close_reason_text"] = close_reason_text(position, fired.get(row["id"]), tick)
        if row["id"] in by_admin:
            row["close_reason_text"] = f"Closed {close_all_words(by_admin[row['id']])}"
        # The same in parts, so the page prints the trigger at the symbol's tick.
        trigger = fired[row["id"]].trigger_price if row["id"] in fired else None
        by_exit = trigger is not None and position.close_reason == fired[row["id"]].kind
        row["close_reason_label"] = (
            exit_label(position.close_reason) if by_exit else row["close_reason_text"]
        )
        row["close_trigger_price"] = _num(trigger) if by_exit else None


def bot_exits_json(bot_id: int, symbol: str) -> dict[str, Any]:
    """Each open position of a bot with its exits (API `GET /bots/{id}/exits`, `egis exits`)."""
    mark = stored_price(symbol)
    rows = []
    for position, exits in open_positions_with_exits(bot_id):
        rows.append(
            {
                "position_id": position.pk,
                "side": position.side,
                "qty": plain(position.qty),
                "entry_price": _num(position.entry_price),
                "mark_price": _num(mark),
                "exits": [
                    exit_json(e, mark_price=mark, entry_price=position.entry_price) for e in exits
                ],
                "alert": no_active_stop(exits),
            }
        )
    return {"bot_id": bot_id, "positions": rows}
