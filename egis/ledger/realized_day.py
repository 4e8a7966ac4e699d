"""A bot's realized PnL in one UTC day, step by step: what the daily loss limit reads.

Each close fill realizes its price PnL minus its own fee when it is booked (a partial close
too: its loss is as real as a whole close's). When a position closes, the rest of its net is
realized then: its entry fee, and anything its close orders do not account for. So over all
days a position's steps add up to its net (egis.ledger.pnl: realized PnL minus all its fees),
and the day's total equals that definition for a day whose positions opened and closed within
it. Archived positions are left out, as from every figure.

`lowest` is the lowest the running total went during the day: the limit, once reached, halts
opens for the rest of the UTC day even if a later close brings the total back above it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from egis.ledger.domain import price_pnl
from egis.ledger.models import Order, OrderIntent, OrderStatus, Position
from egis.ledger.pnl import REALIZED_ROWS, shown_net


@dataclass(frozen=True)
class RealizedDay:
    total_usd: Decimal  # realized today, so far
    lowest_usd: Decimal  # the lowest the running total reached today (0 before any step)
    # As shown (egis.ledger.pnl.shown_net): each position's part of the day in whole cents,
    # summed, so a day of positions opened and closed in it shows what their rows add up to.
    shown_usd: Decimal = Decimal(0)


NO_DAY = RealizedDay(Decimal(0), Decimal(0))
# A close's fill counts once booked on its position: not while the order still works at the
# venue (status unknown, with a part executed and stamped by a report that is not final).
BOOKED = (OrderStatus.FILLED, OrderStatus.PARTIALLY_FILLED)


def utc_day(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The UTC day that contains `now` (an aware datetime), as [start, end)."""
    start = now.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def _fill_step(
    side: str, entry: Decimal | None, avg: Decimal | None, qty: Decimal, fee: Decimal
) -> Decimal:
    if entry is None or avg is None:
        return -fee
    return price_pnl(side, entry, avg, qty) - fee


def close_fill_step(order: Order, position: Position) -> Decimal:
    """What one close fill realizes when booked: its price PnL minus its fee."""
    return _fill_step(
        position.side, position.entry_price, order.avg_price, order.executed_qty, order.fee_usd
    )


_CLOSE_FIELDS = ("id", "bot_id", "position_id", "settled_at", "avg_price", "executed_qty")
_CLOSE_FIELDS_MORE = ("fee_usd", "position__side", "position__entry_price")


def realized_days(
    bot_ids: Iterable[int],
    now: dt.datetime,
    *,
    pending: tuple[Order, Position] | None = None,
) -> dict[int, RealizedDay]:
    """Each bot's realized day (bots without a step today are left out). `pending`: a close
    fill being booked now (its order and position as they will be written), counted as if
    written: settle tells the notice before its writes."""
    ids = list(bot_ids)
    start, end = utc_day(now)
    # (time, 0 fill / 1 rest, tie-break id, position id, amount)
    steps: dict[int, list[tuple[dt.datetime, int, int, int, Decimal]]] = defaultdict(list)
    closes = Order.objects.filter(
        bot_id__in=ids,
        intent=OrderIntent.CLOSE,
        status__in=BOOKED,
        executed_qty__gt=0,
        settled_at__gte=start,
        settled_at__lt=end,
        position__archived_at__isnull=True,
    ).values_list(*_CLOSE_FIELDS, *_CLOSE_FIELDS_MORE)
    pending_order, pending_position = pending if pending else (None, None)
    for oid, bot_id, _pos, at, avg, qty, fee, side, entry in closes:
        if pending_order is not None and oid == pending_order.pk:
            continue
        steps[bot_id].append((at, 0, oid, _pos, _fill_step(side, entry, avg, qty, fee)))
    if pending_order is not None and pending_position is not None and _is_close(pending_order):
        steps[pending_order.bot_id].append(
            (
                now,
                0,
                pending_order.pk,
                pending_position.pk,
                close_fill_step(pending_order, pending_position),
            )
        )
    for bot_id, at, pk, rest in _rest_of_closed(ids, now, pending):
        steps[bot_id].append((at, 1, pk, pk, rest))
    days = {}
    for bot_id, day_steps in steps.items():
        total = lowest = Decimal(0)
        by_position: dict[int, Decimal] = defaultdict(Decimal)
        for *_when, position_id, step in sorted(day_steps, key=lambda s: s[:3]):  # fills first
            total += step
            lowest = min(lowest, total)
            by_position[position_id] += step
        shown = sum((shown_net(part) for part in by_position.values()), Decimal(0))
        days[bot_id] = RealizedDay(total, lowest, shown)
    return days


def _rest_of_closed(
    ids: list[int],
    now: dt.datetime,
    pending: tuple[Order, Position] | None,
) -> list[tuple[int, dt.datetime, int, Decimal]]:
    """For each position closed today: its net less what its close fills realized (on any day):
    its entry fee, or the whole net of a position closed without a close fill."""
    start, end = utc_day(now)
    closed: dict[int, tuple[int, dt.datetime, Decimal]] = {
        pk: (bot_id, at or now, pnl - fees)  # closed_at is set: filtered on it
        for pk, bot_id, at, pnl, fees in Position.objects.filter(
            REALIZED_ROWS, bot_id__in=ids, closed_at__gte=start, closed_at__lt=end
        ).values_list("id", "bot_id", "closed_at", "realized_pnl_usd", "fees_usd")
    }
    pending_order, pending_position = pending if pending else (None, None)
    if pending_position is not None and pending_position.status == "closed":
        assert pending_order is not None
        closed[pending_position.pk] = (
            pending_position.bot_id,
            now,
            pending_position.realized_pnl_usd - pending_position.fees_usd,
        )
    if not closed:
        return []
    realized_by_fills: dict[int, Decimal] = defaultdict(Decimal)
    fills = Order.objects.filter(
        position_id__in=list(closed),
        intent=OrderIntent.CLOSE,
        status__in=BOOKED,
        executed_qty__gt=0,
    ).values_list(*_CLOSE_FIELDS, *_CLOSE_FIELDS_MORE)
    for oid, _bot, pos, _at, avg, qty, fee, side, entry in fills:
        if pending_order is not None and oid == pending_order.pk:
            continue
        realized_by_fills[pos] += _fill_step(side, entry, avg, qty, fee)
    if pending_order is not None and pending_position is not None and _is_close(pending_order):
        realized_by_fills[pending_position.pk] += close_fill_step(pending_order, pending_position)
    return [
        (bot_id, at, pk, net - realized_by_fills[pk]) for pk, (bot_id, at, net) in closed.items()
    ]


def _is_close(order: Order) -> bool:
    return order.intent == OrderIntent.CLOSE and order.executed_qty > 0


def realized_day(bot_id: int, now: dt.datetime) -> RealizedDay:
    return realized_days([bot_id], now).get(bot_id, NO_DAY)
