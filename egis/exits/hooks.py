"""Where the order pipeline meets exits (called by egis.ledger.pipeline and egis.ledger.settle).

- `exits_before_close(bot, position_id)`: before a close Egis makes itself, outside any
  transaction. Paper: nothing to do (its exits are settled with the close, below). Binance: the
  position's live exits are cancelled on the venue first (egis.exits.binance_sync.exits_cancel);
  an unknown cancel raises ExitCancelUnknown and the close is not sent.
- `exits_on_close_preflight(position, order, firing, venue=...)`: inside the close's preflight
  transaction (bot and position locked). Not paper: an exit live now was set after the cancel
  above, so the close is refused (ExitSetDuringClose) rather than leave it resting. A close
  caused by an exit (`firing`) moves that exit from resting to triggered by compare-and-set; if
  it is no longer resting (a manual close or another trigger won) the close is refused, so a
  position closes once.
- `exits_after_close_fill(position, order)`: inside settle's transaction. Position closed: it
  takes the order's close reason, and its paper exits still live are cancelled (one-cancels-
  other). Partially closed: the live exits are resized to what is left, and a paper exit whose
  close filled only in part rests again for the rest.
- `exits_after_close_released(order)`: inside release's transaction. The close an exit caused
  never happened: refused by the venue -> the exit is `failed` (shown loudly); never sent -> it
  rests again.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.figures import qty_text
from egis.core.row_saves import row_update
from egis.core.rows import RowQuery
from egis.exits.errors import ExitNotResting, ExitSetDuringClose
from egis.exits.events import describe, exit_event, exit_triggered_booked
from egis.exits.models import LIVE_EXIT_STATUSES, Exit, ExitStatus
from egis.ledger.event_words import closed_by, closed_by_reason
from egis.ledger.models import CloseReason, Order, OrderStatus, Position, PositionStatus
from egis.venues.selectors import price_ticks

# The close's hot path (settle): the position's live exits, compiled once (egis.core.rows).
_LIVE_OF_POSITION = RowQuery(Exit, "position_id = %s AND status IN (%s, %s)")


@dataclass(frozen=True)
class ExitFiring:
    """A close caused by a resting exit: which one, and the price that crossed it."""

    exit_id: int
    price: Decimal
    catch_up: bool = False  # found crossed at worker start-up


def exits_before_close(bot: Bot, position_id: int, *, reason: str = CloseReason.MANUAL) -> None:
    """`reason`: the close's CloseReason, said in each cancel's line ("position #7 is being
    closed by hand")."""
    if bot.venue == Venue.PAPER:
        return
    live = list(
        Exit.objects.filter(position_id=position_id, status__in=LIVE_EXIT_STATUSES)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if live:
        from egis.exits import binance_sync

        binance_sync.exits_cancel(
            live,
            why=f"position #{position_id} is being closed {closed_by_reason(reason)}".rstrip(),
            for_close=True,
        )


def exits_on_close_preflight(
    position: Position, order: Order, firing: ExitFiring | None, *, venue: str = Venue.PAPER
) -> None:
    if venue != Venue.PAPER:
        _refuse_exit_set_meanwhile(position)
    if firing is None:
        return
    now = timezone.now()
    won = Exit.objects.filter(
        pk=firing.exit_id, position_id=position.pk, status=ExitStatus.RESTING
    ).update(
        status=ExitStatus.TRIGGERED,
        fired_price=firing.price,
        closing_order=order,
        ended_at=now,
        updated_at=now,
    )
    if not won:
        raise ExitNotResting(f"Exit #{firing.exit_id} of position #{position.pk} is not resting.")
    exit_row = Exit.objects.get(pk=firing.exit_id)
    exit_triggered_booked(
        exit_row, position=position, order=order, price=firing.price, catch_up=firing.catch_up
    )


def _refuse_exit_set_meanwhile(position: Position) -> None:
    """Under the bot lock, in the close's preflight: an exit live on the venue now was set after
    exits_before_close cancelled the others (exits_set checks `closing_order` under the same
    lock, so it cannot be set after this). Sending the close would leave a reduce-only exit
    resting on a closed position, where it could fire on another bot's share: refused."""
    live = (
        Exit.objects.filter(position_id=position.pk, status__in=LIVE_EXIT_STATUSES)
        .order_by("id")
        .first()
    )
    if live is not None:
        raise ExitSetDuringClose(
            f"An exit ({live.client_algo_id}) of position #{position.pk} was set while it was "
            "being closed and may rest on the venue: nothing was sent. Close again to cancel it "
            "first."
        )


def exits_after_close_fill(position: Position, order: Order, *, read_live: bool = True) -> None:
    """Inside settle, with the position's new state in memory and before settle's own writes:
    one read of the position's live exits (`_LIVE_OF_POSITION`), then their writes. Settle
    passes `read_live=False` when its own read found the position has no live exit (in the same
    transaction, with the position locked): then there is nothing to read."""
    live = (
        _LIVE_OF_POSITION.all(position.pk, ExitStatus.PLACING.value, ExitStatus.RESTING.value)
        if read_live
        else []
    )
    if position.status == PositionStatus.CLOSED:
        position.close_reason = order.close_reason or CloseReason.MANUAL  # settle writes it
        _cancel_paper_exits(position, live, closed=closed_by(order))
        return
    if order.executed_qty <= 0:
        _rest_again(order, position, why="its close filled nothing")
        return
    for exit_row in live:
        before = exit_row.quantity
        exit_row.quantity = position.qty
        row_update(exit_row, ["quantity", "updated_at"])
        exit_event(
            exit_row,
            position=position,
            action="exit_resized",
            order=order,
            reason=f"partial close: quantity {qty_text(before, step=None, symbol=position.symbol)}"
            f" -> {qty_text(position.qty, step=None, symbol=position.symbol)}",
        )
    _rest_again(order, position, why="its close filled only in part")


def _cancel_paper_exits(position: Position, live: list[Exit], *, closed: str = "") -> None:
    paper = [e for e in live if e.venue == Venue.PAPER]  # Binance's are cancelled there
    if not paper:
        return
    now = timezone.now()
    by = closed or closed_by_reason(position.close_reason)
    # Each line names its exit ("take-profit at $3,022.60"), the row's head its number (the
    # Activity tab, egis.portfolio.activity.event_words): a close that cancels a take-profit
    # and a stop-loss writes two lines that must not read alike. Prices at the symbol's tick:
    # one read, only for a position that had live exits.
    known = price_ticks([position.symbol])[position.symbol]
    tick = Decimal(known) if known else None
    for exit_row in paper:
        exit_row.status, exit_row.ended_at = ExitStatus.CANCELLED, now
        row_update(exit_row, ["status", "ended_at", "updated_at"])
        exit_event(
            exit_row,
            position=position,
            action="exit_cancelled",
            reason=f"{describe(exit_row, tick=tick)}: the position was closed {by}".rstrip(),
        )


def exits_on_ledger_close(position: Position) -> None:
    """A close booked in the ledger without a venue order (an incident's close-position), inside
    its transaction: the position takes the reason `reconcile`, and its paper exits end with it.
    Exits resting on Binance are cancelled there by the next poll (binance_exits_poll in
    egis.exits.binance_recovery), which cancels any exit left on a position the ledger closed."""
    live = _LIVE_OF_POSITION.all(position.pk, ExitStatus.PLACING.value, ExitStatus.RESTING.value)
    position.close_reason = CloseReason.RECONCILE
    _cancel_paper_exits(position, live)


def exits_after_close_released(order: Order, position: Position) -> None:
    fired = Exit.objects.filter(closing_order=order, status=ExitStatus.TRIGGERED).first()
    if fired is None:
        return
    if order.status == OrderStatus.REJECTED:
        fired.status = ExitStatus.FAILED
        fired.error = f"its close {order.client_order_id} was refused: {order.error}"[:2000]
        fired.save(update_fields=["status", "error", "updated_at"])
        exit_event(fired, position=position, action="exit_failed", order=order, reason=fired.error)
        return
    _rest_again(order, position, why=f"its close was never sent ({order.error})")


def _rest_again(order: Order, position: Position, *, why: str) -> None:
    """A paper exit whose close did not take the whole position rests again (resized)."""
    fired = Exit.objects.filter(
        closing_order=order, status=ExitStatus.TRIGGERED, venue=Venue.PAPER
    ).first()
    if fired is None or position.status != PositionStatus.OPEN:
        return
    live_same_kind = Exit.objects.filter(
        position_id=position.pk, kind=fired.kind, status__in=LIVE_EXIT_STATUSES
    ).exists()
    if live_same_kind:
        return
    fired.status = ExitStatus.RESTING
    fired.quantity = position.qty
    fired.closing_order = None
    fired.ended_at = None
    fired.save(update_fields=["status", "quantity", "closing_order", "ended_at", "updated_at"])
    exit_event(
        fired, position=position, action="exit_rearmed", order=order, reason=f"rests again: {why}"
    )
