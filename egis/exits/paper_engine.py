"""The paper venue's trigger engine (runs in the worker on every price update).

For each symbol and its new price P:

1. Trailing stops move: the resting paper trailing stops whose best price P passed are a range of
   the partial index `exits_paper_trailing_extreme` (a long's `extreme <= P`, a short's
   `extreme >= P`). Each takes P as its best price and its trigger follows at the callback; a
   trigger that moves (or a trailing stop that activates) is audited (`exit_trailed`).
2. Crossed exits are found as two ranges of `exits_paper_resting_trigger`: `rises` with
   `trigger <= P` and `falls` with `trigger >= P`. Their number, not the number resting, sets
   the cost (bench/exits.py measures it).
3. Each crossed exit closes its position through the one pipeline: intent close, reason = its
   kind, the venue's slippage and fees. The close's preflight moves the exit from resting to
   triggered by compare-and-set under the bot lock, so an exit racing a manual close (or a
   second worker) closes the position once; the loser is refused and skipped here. Siblings are
   cancelled when the close fills (one-cancels-other, egis.exits.hooks).

`catch_up=True` (worker start-up): what is found crossed was crossed while no worker watched; it
closes at the current price and its audit line says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from egis.bots.locks import lock_bots
from egis.core.figures import price_text
from egis.core.inputs import QTY_PLACES
from egis.core.money import plain
from egis.exits.events import exit_event
from egis.exits.hooks import ExitFiring
from egis.exits.models import Exit, ExitDirection, ExitStatus
from egis.exits.rules import trailing_trigger
from egis.ledger.errors import OrderNotBooked, OrderRefused, PositionNotOpen
from egis.ledger.models import PositionStatus
from egis.ledger.pipeline import order_close
from egis.venues.paper.venue import paper_symbol_rules
from egis.venues.prices.sources import PriceUnavailable, get_price_source

logger = logging.getLogger("egis.exits")

_PRICE_FIELD = Exit._meta.get_field("trigger_price")
_PLACES = QTY_PLACES  # the scale of every price column (egis.core.fields)

# Literal status/venue/kind terms: the planner matches them with the partial indexes' WHERE.
CROSSED_RISES_SQL = (
    "SELECT id, position_id, bot_id, kind, trigger_price FROM exits "
    "WHERE status = 'resting' AND venue = 'paper' AND symbol = %s AND direction = 'rises' "
    "AND trigger_price <= %s ORDER BY trigger_price, id"
)
CROSSED_FALLS_SQL = (
    "SELECT id, position_id, bot_id, kind, trigger_price FROM exits "
    "WHERE status = 'resting' AND venue = 'paper' AND symbol = %s AND direction = 'falls' "
    "AND trigger_price >= %s ORDER BY trigger_price DESC, id DESC"
)
TRAIL_FALLS_SQL = (  # a long's trailing stop: a new high
    "SELECT id FROM exits WHERE status = 'resting' AND venue = 'paper' "
    "AND kind = 'trailing_stop' AND symbol = %s AND direction = 'falls' AND extreme_price <= %s"
)
TRAIL_RISES_SQL = (  # a short's trailing stop: a new low
    "SELECT id FROM exits WHERE status = 'resting' AND venue = 'paper' "
    "AND kind = 'trailing_stop' AND symbol = %s AND direction = 'rises' AND extreme_price >= %s"
)
SYMBOLS_SQL = "SELECT DISTINCT symbol FROM exits WHERE status = 'resting' AND venue = 'paper'"


@dataclass(frozen=True)
class Crossed:
    exit_id: int
    position_id: int
    bot_id: int
    kind: str
    trigger_price: Decimal


@dataclass
class EvaluationReport:
    prices: dict[str, Decimal] = field(default_factory=dict)
    trailed: int = 0
    fired: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "prices": {symbol: plain(price) for symbol, price in self.prices.items()},
            "trailed": self.trailed,
            "fired": self.fired,
        }


def _scaled(price: Decimal) -> int:
    value: int = _PRICE_FIELD.get_prep_value(price)
    return value


def _rows(sql: str, symbol: str, price: Decimal) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, [symbol, _scaled(price)])
        return list(cursor.fetchall())


def crossed_exits(symbol: str, price: Decimal) -> list[Crossed]:
    """Every resting paper exit of `symbol` that `price` has crossed, in the order the price
    reached them; two range scans of the partial index, whatever the number resting."""
    return [
        Crossed(exit_id, position_id, bot_id, kind, Decimal(int(trigger)).scaleb(-_PLACES))
        for sql in (CROSSED_RISES_SQL, CROSSED_FALLS_SQL)
        for exit_id, position_id, bot_id, kind, trigger in _rows(sql, symbol, price)
    ]


def trail(symbol: str, price: Decimal) -> int:
    """Move the trailing stops `price` has carried further; returns how many triggers moved."""
    ids = [
        row[0] for sql in (TRAIL_FALLS_SQL, TRAIL_RISES_SQL) for row in _rows(sql, symbol, price)
    ]
    if not ids:
        return 0
    tick = paper_symbol_rules(symbol).tick_size
    moved = 0
    with transaction.atomic():
        lock_bots(list(Exit.objects.filter(pk__in=ids).values_list("bot_id", flat=True)))
        resting = Exit.objects.filter(pk__in=ids, status=ExitStatus.RESTING)
        for exit_row in resting.select_related("position").order_by("id"):
            moved += _trail_one(exit_row, price, tick)
    return moved


def _trail_one(exit_row: Exit, price: Decimal, tick: Decimal) -> int:
    long = exit_row.direction == ExitDirection.FALLS
    extreme = exit_row.extreme_price
    if extreme is not None and (price < extreme if long else price > extreme):
        return 0  # moved back since the search (another worker's tick)
    assert exit_row.callback_pct is not None
    side = "long" if long else "short"
    trigger = trailing_trigger(price, exit_row.callback_pct, side=side, tick=tick)
    before_trigger = exit_row.trigger_price
    if trigger == before_trigger and price == extreme:
        return 0
    exit_row.extreme_price = price
    exit_row.trigger_price = trigger
    exit_row.save(update_fields=["extreme_price", "trigger_price", "updated_at"])
    if trigger == before_trigger:
        return 0

    def shown(value: Decimal) -> str | None:  # in USD at the tick (egis.core.figures)
        return price_text(value, tick=tick)

    what = (
        f"activated at {shown(price)} (activation {shown(exit_row.activation_price or price)})"
        if before_trigger is None
        else f"best price {shown(price)}: trigger {shown(before_trigger)} -> {shown(trigger)}"
    )
    exit_event(
        exit_row,
        position=exit_row.position,
        action="exit_trailed",
        reason=f"trailing stop {plain(exit_row.callback_pct)}% {what}",
    )
    return 1


def _fire(crossed: Crossed, price: Decimal, *, catch_up: bool) -> dict[str, Any]:
    outcome: dict[str, Any] = {
        "exit_id": crossed.exit_id,
        "position_id": crossed.position_id,
        "kind": crossed.kind,
        "trigger_price": plain(crossed.trigger_price),
        "price": plain(price),
    }
    try:
        result = order_close(
            bot_id=crossed.bot_id,
            position_id=crossed.position_id,
            reason=crossed.kind,
            firing=ExitFiring(crossed.exit_id, price, catch_up=catch_up),
        )
    except PositionNotOpen as exc:
        # Closed without this exit's knowledge (an incident's close-position): it rests no more.
        _cancel_orphan(crossed.exit_id)
        return {**outcome, "outcome": "cancelled", "detail": exc.message}
    except OrderRefused as exc:
        # Lost the race (closing, another exit fired) or the bot is gone: nothing sent.
        return {**outcome, "outcome": "skipped", "detail": exc.message}
    except OrderNotBooked as exc:
        logger.error("exit #%s: close not booked: %s", crossed.exit_id, exc.message)
        return {**outcome, "outcome": "not_booked", "detail": exc.message}
    return {
        **outcome,
        "outcome": "closed",
        "order": result.order.client_order_id,
        "fill_price": plain(result.order.avg_price) if result.order.avg_price else None,
    }


def _cancel_orphan(exit_id: int) -> None:
    with transaction.atomic():
        exit_row = Exit.objects.select_related("position").filter(pk=exit_id).first()
        if exit_row is None:
            return
        lock_bots([exit_row.bot_id])
        position = exit_row.position
        position.refresh_from_db()
        if exit_row.status != ExitStatus.RESTING or position.status == PositionStatus.OPEN:
            return
        exit_row.status, exit_row.ended_at = ExitStatus.CANCELLED, timezone.now()
        exit_row.save(update_fields=["status", "ended_at", "updated_at"])
        exit_event(
            exit_row,
            position=position,
            action="exit_cancelled",
            reason=f"position #{position.pk} is {position.status}: the exit rests no more",
        )


def evaluate_symbol(
    symbol: str, price: Decimal, *, catch_up: bool = False, report: EvaluationReport | None = None
) -> EvaluationReport:
    report = report or EvaluationReport()
    report.prices[symbol] = price
    report.trailed += trail(symbol, price)
    seen: set[int] = set()
    for crossed in crossed_exits(symbol, price):
        if crossed.position_id in seen:
            continue  # one close per position; its siblings are cancelled when it fills
        seen.add(crossed.position_id)
        report.fired.append(_fire(crossed, price, catch_up=catch_up))
    return report


def symbols_with_resting_exits() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(SYMBOLS_SQL)
        return sorted(row[0] for row in cursor.fetchall())


def exits_check(
    prices: dict[str, Decimal] | None = None, *, catch_up: bool = False
) -> EvaluationReport:
    """One evaluation: every symbol with resting paper exits, at the price given for it (a
    fresh tick) or else the price source's current price."""
    report = EvaluationReport()
    given = prices or {}
    source = None
    for symbol in symbols_with_resting_exits():
        price = given.get(symbol)
        if price is None:
            source = source or get_price_source()
            try:
                price = source.price(symbol)
            except PriceUnavailable:
                logger.warning("no price for %s: its exits wait", symbol)
                continue
        evaluate_symbol(symbol, price, catch_up=catch_up, report=report)
    return report


def exits_after_price_update(prices: dict[str, Decimal]) -> EvaluationReport | None:
    """Called by the price tick (egis.venues.tasks); never lets an exception stop the tick."""
    try:
        return exits_check(prices)
    except Exception:
        logger.exception("exit evaluation failed; the next price update tries again")
        return None
