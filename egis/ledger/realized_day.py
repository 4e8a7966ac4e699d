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


# Which reading a step belongs to: both, or only the day before / after a pending fill.
_BOTH, _BEFORE, _AFTER = 0, 1, 2
# (time, 0 fill / 1 rest, tie-break id, position id, amount, reading)
_Step = tuple[dt.datetime, int, int, int, Decimal, int]


def realized_days(bot_ids: Iterable[int], now: dt.datetime) -> dict[int, RealizedDay]:
    """Each bot's realized day (bots without a step today are left out)."""
    steps = _steps(list(bot_ids), now, None)
    return {bot_id: _day(day_steps, _AFTER) for bot_id, day_steps in steps.items()}


def realized_day_change(
    bot_id: int, now: dt.datetime, pending: tuple[Order, Position]
) -> tuple[RealizedDay, RealizedDay]:
    """The bot's day without and with a fill being booked now (`pending`: its order and
    position as they will be written), from one read: settle tells the notice before its
    writes, inside its transaction."""
    day_steps = _steps([bot_id], now, pending).get(bot_id, [])
    return _day(day_steps, _BEFORE), _day(day_steps, _AFTER)


def _day(day_steps: list[_Step], reading: int) -> RealizedDay:
    total = lowest = Decimal(0)
    by_position: dict[int, Decimal] = defaultdict(Decimal)
    for *_when, position_id, step, seen in sorted(day_steps, key=lambda s: s[:3]):  # fills first
        if seen not in (_BOTH, reading):
            continue
        total += step
        lowest = min(lowest, total)
        by_position[position_id] += step
    shown = sum((shown_net(part) for part in by_position.values()), Decimal(0))
    return RealizedDay(total, lowest, shown)


def _steps(
    ids: list[int], now: dt.datetime, pending: tuple[Order, Position] | None
) -> dict[int, list[_Step]]:
    start, end = utc_day(now)
    steps: dict[int, list[_Step]] = defaultdict(list)
    pending_order, pending_position = pending if pending else (None, None)
    closes = Order.objects.filter(
        bot_id__in=ids,
        intent=OrderIntent.CLOSE,
        status__in=BOOKED,
        executed_qty__gt=0,
        settled_at__gte=start,
        settled_at__lt=end,
        position__archived_at__isnull=True,
    ).values_list(*_CLOSE_FIELDS, *_CLOSE_FIELDS_MORE)
    for oid, bot_id, pos, at, avg, qty, fee, side, entry in closes:
        # The pending fill's row as it stands (a fee completed later): the day before it only.
        seen = _BEFORE if pending_order is not None and oid == pending_order.pk else _BOTH
        steps[bot_id].append((at, 0, oid, pos, _fill_step(side, entry, avg, qty, fee), seen))
    if pending_order is not None and pending_position is not None and _is_close(pending_order):
        step = close_fill_step(pending_order, pending_position)
        steps[pending_order.bot_id].append(
            (now, 0, pending_order.pk, pending_position.pk, step, _AFTER)
        )
    for bot_id, at, pk, rest, seen in _rest_of_closed(ids, now, pending):
        steps[bot_id].append((at, 1, pk, pk, rest, seen))
    return steps


def _rest_of_closed(
    ids: list[int],
    now: dt.datetime,
    pending: tuple[Order, Position] | None,
) -> list[tuple[int, dt.datetime, int, Decimal, int]]:
    """For each position closed today: its net less what its close fills realized (on any day):
    its entry fee, or the whole net of a position closed without a close fill. The pending
    fill's position as it will be written counts in the day after it."""
    start, end = utc_day(now)
    closed: dict[tuple[int, int], tuple[int, dt.datetime, Decimal]] = {
        (pk, _BOTH): (bot_id, at or now, pnl - fees)  # closed_at is set: filtered on it
        for pk, bot_id, at, pnl, fees in Position.objects.filter(
            REALIZED_ROWS, bot_id__in=ids, closed_at__gte=start, closed_at__lt=end
        ).values_list("id", "bot_id", "closed_at", "realized_pnl_usd", "fees_usd")
    }
    pending_order, pending_position = pending if pending else (None, None)
    if pending_position is not None:
        assert pending_order is not None
        kept = closed.pop((pending_position.pk, _BOTH), None)
        if kept is not None:
            closed[(pending_position.pk, _BEFORE)] = kept
        if pending_position.status == "closed":
            net = pending_position.realized_pnl_usd - pending_position.fees_usd
            closed[(pending_position.pk, _AFTER)] = (pending_position.bot_id, now, net)
    if not closed:
        return []
    by_fills: dict[int, dict[int, Decimal]] = {
        _BEFORE: defaultdict(Decimal),
        _AFTER: defaultdict(Decimal),
    }
    fills = Order.objects.filter(
        position_id__in=list({pk for pk, _ in closed}),
        intent=OrderIntent.CLOSE,
        status__in=BOOKED,
        executed_qty__gt=0,
    ).values_list(*_CLOSE_FIELDS, *_CLOSE_FIELDS_MORE)
    for oid, _bot, pos, _at, avg, qty, fee, side, entry in fills:
        step = _fill_step(side, entry, avg, qty, fee)
        by_fills[_BEFORE][pos] += step
        if pending_order is None or oid != pending_order.pk:
            by_fills[_AFTER][pos] += step
    if pending_order is not None and pending_position is not None and _is_close(pending_order):
        by_fills[_AFTER][pending_position.pk] += close_fill_step(pending_order, pending_position)
    return [
        (bot_id, at, pk, net - by_fills[_AFTER if seen == _BOTH else seen][pk], seen)
        for (pk, seen), (bot_id, at, net) in closed.items()
    ]


def _is_close(order: Order) -> bool:
    return order.intent == OrderIntent.CLOSE and order.executed_qty > 0


def realized_day(bot_id: int, now: dt.datetime) -> RealizedDay:
    return realized_days([bot_id], now).get(bot_id, NO_DAY)
