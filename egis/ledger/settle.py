"""Step 3 of the order pipeline, shared with recovery: book what a venue reported for an order.

Every function here is idempotent by compare-and-set on the order's status: only an order still
in flight (`submitting` or `unknown`) is changed, inside one transaction that locks the order's
bot first and then the order with its position (the lock order of egis.bots.locks), so two
workers (or the pipeline and recovery) can never settle one order twice, and a settle never
holds the position while it waits for the bot. (On SQLite, where `BEGIN IMMEDIATE` holds the
database's write lock for the whole transaction, `settle_order` sends no read for lock 1:
egis.bots.locks.row_locks_needed.)
Nothing here raises on "not found" in a way that escapes: the callers turn any exception into a
incident (rule 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from egis.bots.locks import bot_row_lock, row_locks_needed
from egis.core.money import plain
from egis.core.row_saves import row_update
from egis.core.row_writes import RowWrites
from egis.core.rows import RowPair
from egis.exits.hooks import exits_after_close_fill, exits_after_close_released
from egis.ledger.domain import (
    Fill,
    PositionState,
    apply_close_fill,
    apply_open_fill,
    fill_from_venue,
    q8,
)
from egis.ledger.event_words import fill_words, release_words
from egis.ledger.events import event_record, event_row, position_snapshot
from egis.ledger.models import (
    IN_FLIGHT_ORDER_STATUSES,
    Order,
    OrderIntent,
    OrderStatus,
    Position,
    PositionStatus,
)
from egis.ledger.notices import fee_completed_notices, fill_notice
from egis.ledger.settle_read import SETTLE_READ, SettleRows
from egis.notifications.services import notices_write
from egis.portfolio.totals import totals_apply, totals_track
from egis.venues.base import OrderReport

# Settle writes only what it changes: narrower UPDATEs, and nothing else is overwritten.
_ORDER_SETTLE_FIELDS = [
    "venue_order_id",
    "venue_response",
    "executed_qty",
    "cum_quote_usd",
    "avg_price",
    "fee_usd",
    "fee_pending",
    "settled_at",
    "status",
    "error",
    "updated_at",
]
_POSITION_SETTLE_FIELDS = [
    "status",
    "size_usd",
    "qty",
    "entry_price",
    "exit_price",
    "fees_usd",
    "realized_pnl_usd",
    "closed_at",
    "closing_order",
    "close_reason",  # exits (issue 12): the close order's reason, once it closes the position
]
# An open's fill changes only these (egis.ledger.domain.apply_open_fill): the exit price stays
# empty, the realized PnL, the close columns and the close reason stay as the preflight left them.
_POSITION_OPEN_FILL_FIELDS = ["status", "size_usd", "qty", "entry_price", "fees_usd"]


BOOKED_FILL_STATUSES = (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED)


class SettleError(Exception):
    """The ledger rows needed to book a venue's answer are missing or contradict it."""


@dataclass(frozen=True)
class OrderResult:
    order: Order
    position: Position
    already_settled: bool = False


# Lock 1: the bot of an order (an order never changes bot), found and locked in one statement.
_BOT_OF_ORDER_LOCKED = bot_row_lock("id = (SELECT bot_id FROM orders WHERE id = %s)", fields=["id"])
# Lock 3: the order and its position, both locked, in one statement (egis.core.rows).
_ORDER_AND_POSITION_LOCKED: RowPair[Order, Position] = RowPair(
    Order, "position", "a.id = %s", lock=True
)


def _missing(order_id: int) -> SettleError:
    # orders.position_id is NOT NULL with a foreign key: no pair means no order.
    return SettleError(f"order #{order_id} is missing from the ledger")


def _locked(order_id: int) -> tuple[Order, Position]:
    _BOT_OF_ORDER_LOCKED.one(order_id)
    pair = _ORDER_AND_POSITION_LOCKED.one(order_id)
    if pair is None:
        raise _missing(order_id)
    return pair


def _locked_for_settle(order_id: int) -> SettleRows:
    """Settle's reads: lock 1 where the database has row locks (on SQLite `BEGIN IMMEDIATE`
    holds the write lock already), then the order and its position (lock 3) with the facts
    settle needs from the bot, its owner and the exits (egis.ledger.settle_read)."""
    if row_locks_needed():
        _BOT_OF_ORDER_LOCKED.one(order_id)
    rows = SETTLE_READ.read(order_id)
    if rows is None:
        raise _missing(order_id)
    return rows


def position_state(position: Position) -> PositionState:
    return PositionState(
        status=position.status,
        size_usd=position.size_usd,
        qty=position.qty,
        entry_price=position.entry_price,
        exit_price=position.exit_price,
        fees_usd=position.fees_usd,
        realized_pnl_usd=position.realized_pnl_usd,
    )


def store_position_state(position: Position, state: PositionState) -> None:
    position.status = state.status
    position.size_usd = state.size_usd
    position.qty = state.qty
    position.entry_price = state.entry_price
    position.exit_price = state.exit_price
    position.fees_usd = state.fees_usd
    position.realized_pnl_usd = state.realized_pnl_usd
    if state.status == PositionStatus.CLOSED and position.closed_at is None:
        position.closed_at = timezone.now()


def scrub_venue_response(raw: dict[str, Any]) -> dict[str, Any]:
    """Keep what a venue answered, minus anything that could carry a credential."""
    banned = ("signature", "apikey", "api_key", "secret", "x-mbx-apikey")
    return {k: v for k, v in raw.items() if k.lower() not in banned}


def settle_order(order_id: int, report: OrderReport, *, actor: Any = None, via: str) -> OrderResult:
    """Book a venue's final report for an in-flight order (open or close)."""
    with transaction.atomic():
        rows = _locked_for_settle(order_id)
        order, position = rows.order, rows.position
        if order.status not in IN_FLIGHT_ORDER_STATUSES:
            return OrderResult(order, position, already_settled=True)
        if report.client_order_id != order.client_order_id:
            raise SettleError(
                f"venue answered for {report.client_order_id}, not {order.client_order_id}"
            )
        if report.executed_qty > order.requested_qty:
            raise SettleError(
                f"venue reports {plain(report.executed_qty)} executed for "
                f"{order.client_order_id}, more than the {plain(order.requested_qty)} sent"
            )
        fill, rounding_steps = fill_from_venue(
            report.executed_qty, report.cum_quote_usd, report.avg_price, report.fee_usd
        )
        order.venue_order_id = report.venue_order_id or order.venue_order_id
        order.venue_response = scrub_venue_response(report.raw)
        order.executed_qty = fill.executed_qty
        order.cum_quote_usd = fill.cum_quote_usd
        order.avg_price = fill.avg_price
        order.fee_usd = fill.fee_usd
        order.settled_at = timezone.now()
        if not report.is_final:
            # Still working at the venue: keep it in flight for recovery to look up again.
            order.status = OrderStatus.UNKNOWN
            order.error = f"venue status {report.status}: not final yet"
            row_update(order, _ORDER_SETTLE_FIELDS)
            return OrderResult(order, position)
        # Only a booked fill can wait for the rest of its fee (an order still working is looked
        # up again anyway, and its fee booked when it is final).
        order.fee_pending = report.fee_pending and fill.executed_qty > 0
        if fill.executed_qty == order.requested_qty:
            order.status = OrderStatus.FILLED
        elif fill.executed_qty > 0:
            order.status = OrderStatus.PARTIALLY_FILLED
        else:
            order.status = OrderStatus.FAILED
            order.error = f"venue status {report.status}: nothing was filled"
        # The order, its position and the event: one statement on PostgreSQL
        # (egis.core.row_writes), the same three one by one on SQLite.
        writes = RowWrites()
        writes.update(order, _ORDER_SETTLE_FIELDS)
        _book_fill(
            writes,
            order,
            position,
            fill,
            rounding_steps,
            actor=actor,
            via=via,
            live_exits=rows.has_live_exits,
        )
        # Told exactly when booked: the notice's read now (only if the owner set notifications
        # up at all), its outbox rows after the run.
        notices = (
            fill_notice(rows.daily_loss_limit_usd, order, position)
            if rows.owner_has_notifications
            else []
        )
        writes.run()
        notices_write(notices)
        return OrderResult(order, position)


def _book_fill(
    writes: RowWrites,
    order: Order,
    position: Position,
    fill: Fill,
    rounding_steps: list[str],
    *,
    actor: Any,
    via: str,
    live_exits: bool = True,
) -> None:
    before = position_snapshot(position)
    if order.intent == OrderIntent.OPEN:
        new_state = apply_open_fill(position_state(position), fill)
        action = "open_filled" if fill.executed_qty > 0 else "open_cancelled"
        if new_state.size_usd > position.size_usd:
            # The market moved between sizing and fill: the ledger books the truth, and says so.
            rounding_steps = [
                *rounding_steps,
                f"executed notional {plain(new_state.size_usd)} exceeds the hold "
                f"{plain(position.size_usd)}: the price moved between sizing and fill",
            ]
    else:
        if fill.executed_qty > position.qty:
            raise SettleError(
                f"close {order.client_order_id} filled {plain(fill.executed_qty)} but position "
                f"#{position.pk} holds {plain(position.qty)}"
            )
        new_state = apply_close_fill(position_state(position), fill, side=position.side)
        position.closing_order = None
        action = {"closed": "closed", "open": "partially_closed"}[new_state.status]
        if fill.executed_qty == 0:
            action = "close_unfilled"
    tracked = totals_track(position)  # per-bot closed totals (egis.portfolio.totals)
    store_position_state(position, new_state)
    if order.intent == OrderIntent.CLOSE:
        # Exits (issue 12): before the run of writes; their read only if the position has any.
        exits_after_close_fill(position, order, read_live=live_exits)
        writes.update(position, _POSITION_SETTLE_FIELDS)
    else:
        writes.update(position, _POSITION_OPEN_FILL_FIELDS)
    totals_apply(tracked, position)  # in this transaction, before the run is sent
    writes.insert(
        event_row(
            position=position,
            order=order,
            bot_id=order.bot_id,
            action=action,
            before=before,
            after=position_snapshot(position),
            actor=actor,
            reason="; ".join([fill_words(order, fill, via=via), *rounding_steps]),
        )
    )


def fee_complete(order_id: int, report: OrderReport, *, via: str) -> OrderResult | None:
    """Book the rest of a pending fee once the venue lists every fill of the order.

    Compare-and-set on `fee_pending`: a second worker finds it done and returns None. The
    position's fees grow by what was missing; a venue now reporting a lower fee than was booked
    is a contradiction, refused (SettleError) rather than edited silently.
    """
    if report.fee_pending:
        return None
    with transaction.atomic():
        order, position = _locked(order_id)
        if not order.fee_pending or order.status not in BOOKED_FILL_STATUSES:
            return None
        if report.client_order_id != order.client_order_id:
            raise SettleError(
                f"venue answered for {report.client_order_id}, not {order.client_order_id}"
            )
        if report.executed_qty != order.executed_qty:
            raise SettleError(
                f"venue now reports {plain(report.executed_qty)} executed for "
                f"{order.client_order_id}, {plain(order.executed_qty)} was booked"
            )
        fee = q8(report.fee_usd)
        missing = fee - order.fee_usd
        if missing < 0:
            raise SettleError(
                f"venue reports a fee of {plain(fee)} for {order.client_order_id}, less than the "
                f"{plain(order.fee_usd)} already booked"
            )
        notices = fee_completed_notices(order, position, fee)  # read before the writes
        before = position_snapshot(position)
        booked = order.fee_usd
        order.fee_usd = fee
        order.fee_pending = False
        row_update(order, ["fee_usd", "fee_pending", "updated_at"])
        tracked = totals_track(position)  # per-bot closed totals (egis.portfolio.totals)
        position.fees_usd = position.fees_usd + missing
        row_update(position, ["fees_usd"])
        totals_apply(tracked, position)
        event_record(
            position=position,
            order=order,
            bot_id=order.bot_id,
            action="fee_completed",
            before=before,
            after=position_snapshot(position),
            actor=None,
            reason=f"{via}: the venue now lists every fill of {order.client_order_id}; fee "
            f"{plain(booked)} was pending, {plain(fee)} in full (+{plain(missing)})",
        )
        notices_write(notices)
        return OrderResult(order, position)


def release_order(
    order_id: int, *, status: str, error: str, actor: Any = None, via: str
) -> OrderResult:
    """The order positively does not exist at the venue: mark it and release what it held."""
    with transaction.atomic():
        order, position = _locked(order_id)
        if order.status not in IN_FLIGHT_ORDER_STATUSES:
            return OrderResult(order, position, already_settled=True)
        order.status = status
        order.error = error[:2000]
        order.settled_at = timezone.now()
        order.save()
        before = position_snapshot(position)
        if order.intent == OrderIntent.OPEN:
            position.status = PositionStatus.CANCELLED
            position.size_usd = 0
            action = "hold_released"
        else:
            position.closing_order = None
            action = "close_released"
        position.save()
        if order.intent == OrderIntent.CLOSE:
            exits_after_close_released(order, position)  # exits (issue 12)
        event_record(
            position=position,
            order=order,
            bot_id=order.bot_id,
            action=action,
            before=before,
            after=position_snapshot(position),
            actor=actor,
            reason=release_words(via, error)[:2000],
        )
        return OrderResult(order, position)


def mark_unknown(order_id: int, *, error: str) -> Order | None:
    """The venue may or may not have the order: keep the hold, wait for a positive lookup."""
    with transaction.atomic():
        _BOT_OF_ORDER_LOCKED.one(order_id)
        updated = Order.objects.filter(pk=order_id, status=OrderStatus.SUBMITTING).update(
            status=OrderStatus.UNKNOWN, error=error[:2000], updated_at=timezone.now()
        )
        return Order.objects.filter(pk=order_id).first() if updated else None
