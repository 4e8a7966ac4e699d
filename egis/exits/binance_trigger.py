"""A Binance exit fired: book the order Binance placed as the close of exactly its position.

When a conditional algo order fires, Binance places a normal MARKET order (the algo order's
`actualOrderId`). Egis sends nothing: it reads that order (GET /fapi/v1/order by orderId, fees
from its trades) and books it through the ledger's settle path (egis.ledger.settle.settle_order)
as a `close` order of the exit's position, with the exit's kind as the close reason, in one
transaction with the exit becoming `triggered`. It can never open or shrink another position:
the order row names the exit's position, and settle refuses a fill larger than it.

Then the exit's siblings are cancelled (a take-profit and a stop-loss are a one-cancels-other
pair that Egis maintains: Binance does not link them), or resized if the fill was partial.
The notification seam is the venue-neutral one: egis.exits.events.exit_triggered_booked, called
here inside the booking transaction, runs `exit_triggered_after_commit` once it commits.
"""

from __future__ import annotations

import dataclasses
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from egis.bots.locks import lock_bot
from egis.bots.models import Bot
from egis.core.figures import price_text, qty_text
from egis.core.money import plain
from egis.exits.binance_resize import binance_exits_resize, exit_place_again
from egis.exits.binance_rows import (
    FIRED,
    PART_FILL_MARK,
    UNKNOWN,
    ExitStep,
    exit_incident,
    exit_label,
    exit_not_active,
)
from egis.exits.binance_sync import binance_exits_cancel
from egis.exits.events import exit_triggered_booked
from egis.exits.models import LIVE_EXIT_STATUSES, Exit, ExitStatus
from egis.ledger.domain import q8
from egis.ledger.events import event_record, position_snapshot
from egis.ledger.models import (
    IncidentKind,
    Order,
    OrderIntent,
    OrderStatus,
    Position,
    PositionStatus,
)
from egis.ledger.settle import SettleError, settle_order
from egis.venues.base import OrderReport, VenueError
from egis.venues.binance.algo import AlgoReport, BinanceAlgoOrders
from egis.venues.binance.venue import BinanceVenue

logger = logging.getLogger("egis.exits.binance")

CLIENT_ID_MAX = 36


def _order_client_id(exit_row: Exit, report: OrderReport) -> str:
    """Binance's own clientOrderId of the triggered order when it fits our log (so a later
    lookup by client order id finds it), else one derived from the exit."""
    theirs = report.client_order_id
    fits = theirs and len(theirs) <= CLIENT_ID_MAX
    if fits and not Order.objects.filter(client_order_id=theirs).exists():
        return theirs
    return f"egx-fill-{exit_row.pk}-{report.venue_order_id}"[:CLIENT_ID_MAX]


def _book(exit_row: Exit, algo: AlgoReport, report: OrderReport) -> Order | None:
    """One transaction: the close order row, the exit `triggered`, the fill settled."""
    label = exit_label(exit_row)
    with transaction.atomic():
        lock_bot(exit_row.bot_id)
        locked = (
            Exit.objects.select_for_update()
            .filter(pk=exit_row.pk, status__in=LIVE_EXIT_STATUSES)
            .first()
        )
        if locked is None:
            return None  # booked (or decided) by another worker meanwhile
        position = Position.objects.select_for_update().get(pk=exit_row.position_id)
        if position.status != PositionStatus.OPEN:
            raise SettleError(
                f"the {label} {exit_row.client_algo_id} fired at Binance (order "
                f"{report.venue_order_id}, {plain(report.executed_qty)} executed) but position "
                f"#{position.pk} is {position.status} in the ledger"
            )
        if position.closing_order_id is not None:
            raise SettleError(
                f"the {label} {exit_row.client_algo_id} fired at Binance while close order "
                f"#{position.closing_order_id} of position #{position.pk} is in flight"
            )
        client_order_id = _order_client_id(exit_row, report)
        if client_order_id != report.client_order_id:
            report = dataclasses.replace(
                report,
                client_order_id=client_order_id,
                raw={**report.raw, "binance_client_order_id": report.client_order_id},
            )
        order = Order.objects.create(
            client_order_id=client_order_id,
            bot_id=exit_row.bot_id,
            position=position,
            intent=OrderIntent.CLOSE,
            side=algo.side,
            symbol=exit_row.symbol,
            reduce_only=True,
            requested_qty=algo.quantity if algo.quantity > 0 else exit_row.quantity,
            reference_price=algo.trigger_price,
            close_reason=exit_row.kind,
            status=OrderStatus.SUBMITTING,
            venue_order_id=report.venue_order_id,
        )
        before = position_snapshot(position)
        position.closing_order = order
        position.save(update_fields=["closing_order"])
        event_record(
            position=position,
            order=order,
            bot_id=exit_row.bot_id,
            action="closing",
            before=before,
            after=position_snapshot(position),
            reason=f"{label} {exit_row.client_algo_id} fired at Binance: algo {algo.algo_id} "
            f"placed order {report.venue_order_id} ({report.status}, "
            f"{qty_text(report.executed_qty, symbol=position.symbol)} executed"
            + (f" at {price_text(report.avg_price, tick=None)}" if report.avg_price else "")
            + "); booked as the close of this position, nothing sent",
        )
        # Triggered before the fill is settled: the settle hook (egis.exits.hooks) resizes the
        # exits still live after a partial fill, and this one is not among them.
        locked.status = ExitStatus.TRIGGERED
        locked.closing_order = order
        fired_price = q8(report.avg_price) if report.avg_price else algo.trigger_price
        locked.fired_price = fired_price
        locked.venue_algo_id = algo.algo_id
        locked.error = ""
        locked.ended_at = timezone.now()
        locked.save(
            update_fields=[
                "status",
                "closing_order",
                "fired_price",
                "venue_algo_id",
                "error",
                "ended_at",
                "updated_at",
            ]
        )
        # The audit line, and the "exit triggered" notification after commit (one place for
        # both venues: egis.exits.events.exit_triggered_after_commit).
        exit_triggered_booked(
            locked,
            position=position,
            order=order,
            price=fired_price or Decimal(0),
            catch_up=False,
        )
        settle_order(order.pk, report, via=f"binance {label} trigger")
        if Position.objects.filter(pk=position.pk, status=PositionStatus.OPEN).exists():
            # A partial fill: this exit is to rest again for the rest. Marked in the booking's
            # transaction and consumed with the replacement row, so a process killed between
            # the two leaves it to binance_exits_rearm instead of leaving the rest unprotected.
            Exit.objects.filter(pk=locked.pk).update(error=PART_FILL_MARK)
    return order


def exit_book_trigger(exit_row: Exit, algo: AlgoReport, *, algos: BinanceAlgoOrders) -> ExitStep:
    """Book a fired exit's order (once), then cancel or resize its siblings (same account:
    one client for all of it)."""
    cid = exit_row.client_algo_id

    def same_client(_bot: Bot) -> BinanceAlgoOrders:
        return algos

    try:
        venue = BinanceVenue(exit_row.bot, client=algos.client)
        report = venue.lookup_order_by_venue_id(
            symbol=exit_row.symbol, venue_order_id=algo.actual_order_id
        )
    except VenueError as exc:
        return ExitStep(
            exit_row.pk,
            cid,
            UNKNOWN,
            f"{cid} fired (order {algo.actual_order_id}) but the order is not readable yet: "
            f"{exc.message}",
        )
    if not report.is_final:
        return ExitStep(
            exit_row.pk, cid, UNKNOWN, f"{cid} fired; order {algo.actual_order_id} still working"
        )
    if report.executed_qty <= 0:
        return exit_not_active(
            exit_row,
            to=ExitStatus.FAILED,
            why=f"it fired but its order {algo.actual_order_id} filled nothing ({report.status})",
            report=algo,
        )
    try:
        order = _book(exit_row, algo, report)
    except Exception as exc:  # rule 5: what Binance did is kept, never lost
        logger.exception("trigger of exit %s could not be booked", cid)
        message = (
            f"the {exit_label(exit_row)} {cid} fired at Binance (order {report.venue_order_id}, "
            f"{plain(report.executed_qty)} executed) but could not be booked: {exc}"
        )
        incident_id = exit_incident(
            exit_row,
            kind=IncidentKind.EXIT_UNBOOKED,
            error=message,
            key="exit-unbooked",
            venue_order_id=report.venue_order_id,
            executed_qty=plain(report.executed_qty),
            cum_quote_usd=plain(report.cum_quote_usd),
            algo=algo.raw,
        )
        return ExitStep(exit_row.pk, cid, UNKNOWN, message, incident_id)
    if order is None:
        return ExitStep(exit_row.pk, cid, FIRED, f"{cid} fired; already booked")
    detail = (
        f"{exit_label(exit_row)} fired at Binance: order {report.venue_order_id} closed "
        f"{qty_text(order.executed_qty, symbol=exit_row.symbol)} of position "
        f"#{exit_row.position_id}"
        + (f" at {price_text(order.avg_price, tick=None)}" if order.avg_price else "")
    )
    position = Position.objects.get(pk=exit_row.position_id)
    if position.status == PositionStatus.OPEN:
        # A partial fill: the rest stays protected. The siblings are resized, and this exit
        # rests again for what is left (as a paper exit does).
        # (Not if the owner set this kind again meanwhile: exit_place_again skips it then.)
        binance_exits_resize(position.pk, algos_for=same_client)
        exit_place_again(
            exit_row,
            position,
            algos=algos,
            reason=f"rests again for {qty_text(position.qty, symbol=position.symbol)} after "
            f"its order filled only {qty_text(order.executed_qty, symbol=position.symbol)}",
            consume=(PART_FILL_MARK, ""),
        )
    else:
        # One-cancels-other: a sibling left resting is a reduce-only order that would fire on
        # another bot's share of the netted position.
        binance_exits_cancel(
            position.pk,
            why=f"its sibling {cid} fired",
            exclude=[exit_row.pk],
            algos_for=same_client,
        )
    return ExitStep(exit_row.pk, cid, FIRED, detail)


__all__ = ["exit_book_trigger"]
