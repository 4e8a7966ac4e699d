"""The order pipeline: preflight -> venue call -> settle, one code path for every venue.

Every transaction here takes its row locks in the one order egis.bots.locks documents: the bot
first, then the exchange account, then the order and position, then the paper book.

1. Preflight, one short transaction with the bot locked: validate the intent, check the bot's
   risk limits (egis.ledger.risk; opens only) and the budget and insert the hold (open) or
   mark the position closing (close), insert the order row with a fresh client order id.
   Commit. Every refusal happens here or earlier: nothing is sent.
   The open's checks and its sizing are egis.ledger.open_checks (the open form's quote runs
   them too).
2. Venue call with the client order id, outside any transaction.
3. Settle in one transaction (egis.ledger.settle). After the venue call nothing escapes as a
   crash (egis.ledger.after_venue): a failed write becomes an incident, or, if the database
   itself cannot be written, an fsync'd journal line; the caller gets `OrderNotBooked` naming
   the order.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from egis.bots.locks import LIVE_BOT, LIVE_BOT_LOCKED
from egis.bots.models import Bot
from egis.core.figures import price_text, qty_text, usd_text
from egis.core.log_context import bind_order
from egis.core.order_metrics import order_timed
from egis.core.row_writes import RowWrites
from egis.core.rows import RowPair, RowQuery
from egis.exits.hooks import ExitFiring, exits_before_close, exits_on_close_preflight
from egis.exits.rules import ExitChanges, changes_as_json
from egis.ledger.after_venue import after_fill, after_refusal, after_unknown
from egis.ledger.errors import (
    BotNotFound,
    InvalidOrderInput,
    OrderRefused,
    PositionBusy,
    PositionNotFound,
    PositionNotOpen,
    VenueNotReady,
)
from egis.ledger.event_words import closing_words
from egis.ledger.events import event_row, position_snapshot
from egis.ledger.models import (
    CloseReason,
    Order,
    OrderIntent,
    OrderSide,
    OrderStatus,
    Position,
    PositionSide,
    PositionStatus,
)
from egis.ledger.open_checks import _check_can_open, open_preflight, size_open
from egis.ledger.order_inputs import (
    parse_idempotency_key,
    parse_position_id,
    parse_side,
    parse_size_usd,
)
from egis.ledger.settle import (
    OrderResult,
)
from egis.venues.base import (
    OrderRequest,
    VenueAdapter,
    VenueError,
    VenueRejected,
    VenueUnavailable,
)
from egis.venues.models import ExchangeAccount
from egis.venues.prices.sources import PriceUnavailable
from egis.venues.registry import venue_for

logger = logging.getLogger("egis.pipeline")


def new_client_order_id(bot_id: int) -> str:
    # <= 36 chars of [.A-Z:/a-z0-9_-], unique, and it says which bot it belongs to.
    return f"egis-{bot_id}-{uuid.uuid4().hex[:20]}"


def order_submit(
    *,
    bot_id: int,
    intent: object,
    side: object = None,
    size_usd: object = None,
    position_id: object = None,
    actor: Any = None,
    venue: VenueAdapter | None = None,
    exits: ExitChanges | None = None,
) -> OrderResult:
    """Entry point for every edge (CLI, API, pages): dispatch on an explicit intent."""
    if intent is None or intent == "":
        raise InvalidOrderInput("intent is required: open or close", field="intent")
    if intent == OrderIntent.OPEN:
        return order_open(
            bot_id=bot_id, side=side, size_usd=size_usd, actor=actor, venue=venue, exits=exits
        )
    if intent == OrderIntent.CLOSE:
        return order_close(bot_id=bot_id, position_id=position_id, actor=actor, venue=venue)
    raise InvalidOrderInput(
        f"unknown intent {str(intent)[:20]!r}: use open or close", field="intent"
    )


def _first_submission(bot_id: int, key: str | None) -> OrderResult | None:
    """A replayed submit (same bot, same key) gets the first order's result, never a second
    order. Runs with the bot locked, so two racing submits are serialised; the unique
    constraint on (bot, idempotency_key) backs it at the database level."""
    if key is None:
        return None
    found = _ORDER_BY_KEY.one(bot_id, key)
    if found is None:
        return None
    order, position = found
    order.position = position
    return OrderResult(order=order, position=position, already_settled=True)


def _assert_no_transaction() -> None:
    if connection.in_atomic_block:
        # A venue call inside a transaction would hold locks across the network and could be
        # rolled back after the venue acted: rule 4 forbids it.
        raise RuntimeError("the order pipeline must not run inside a database transaction")


# The hot path's statements, compiled once (egis.core.rows): the ORM's per-call rebuild of each
# statement cost more than the database took to run it.
_ACCOUNT_LOCKED = RowQuery(ExchangeAccount, "id = %s", fields=["id"], lock=True)
# A replayed submission's first order (unique per bot and key) with its position.
_ORDER_BY_KEY: RowPair[Order, Position] = RowPair(
    Order, "position", "a.bot_id = %s AND a.idempotency_key = %s"
)
_POSITION_LOCKED = RowQuery(Position, "id = %s", lock=True)


def _load_bot(bot_id: int, *, lock: bool) -> Bot:
    bot = (LIVE_BOT_LOCKED if lock else LIVE_BOT).one(bot_id)
    if bot is None:
        raise BotNotFound(f"Bot #{bot_id} does not exist.")
    return bot


def _unlocked_bot(bot_id: int, loaded: Bot | None) -> Bot:
    """The bot for the checks before the preflight: the caller's fresh row of it (a signal's
    execution has just read it), else read. The preflight reads it again under its lock."""
    if loaded is not None and loaded.pk == bot_id:
        return loaded
    return _load_bot(bot_id, lock=False)


def _prepare_venue(bot: Bot, venue: VenueAdapter | None) -> VenueAdapter:
    try:
        chosen = venue or venue_for(bot)
        chosen.prepare(symbol=bot.symbol, leverage=bot.leverage)
        return chosen
    except (VenueError, PriceUnavailable) as exc:
        raise VenueNotReady(str(exc)) from exc


def _write_ahead_order(
    bot: Bot,
    position: Position,
    *,
    intent: str,
    side: str,
    qty: Decimal,
    actor: Any,
    requested_usd: Decimal | None = None,
    reference_price: Decimal | None = None,
    idempotency_key: str | None = None,
    close_reason: str = "",
    exits_asked: dict[str, Any] | None = None,
) -> Order:
    """The order row, committed with the preflight before the venue hears of it (status
    submitting, a fresh client order id). A close is always reduce-only: it can shrink exposure,
    never create it (a database constraint says so too). Not written yet: the caller adds it
    to the transaction's RowWrites."""
    return Order(
        client_order_id=new_client_order_id(bot.pk),
        bot=bot,
        position=position,
        intent=intent,
        side=side,
        symbol=position.symbol,
        reduce_only=intent == OrderIntent.CLOSE,
        requested_qty=qty,
        close_reason=close_reason,
        requested_usd=requested_usd,
        reference_price=reference_price,
        status=OrderStatus.SUBMITTING,
        created_by=actor if getattr(actor, "pk", None) else None,
        idempotency_key=idempotency_key,
        exits_asked=exits_asked,
    )


@order_timed(OrderIntent.OPEN)
def order_open(
    *,
    bot_id: int,
    side: object,
    size_usd: object,
    actor: Any = None,
    venue: VenueAdapter | None = None,
    idempotency_key: str | None = None,
    exits: ExitChanges | None = None,
    loaded: Bot | None = None,
) -> OrderResult:
    """Open a position; `exits` (take-profit, stop-loss, trailing stop) are checked before the
    order is sent and set on the position once its fill is booked (egis.exits.services).
    `loaded`: the bot's row as the caller just read it, for the checks before the preflight
    (the preflight reads it again, locked)."""
    _assert_no_transaction()
    chosen_side = parse_side(side)
    requested = parse_size_usd(size_usd)
    key = parse_idempotency_key(idempotency_key)
    bot = _unlocked_bot(bot_id, loaded)
    _check_can_open(bot)
    adapter = _prepare_venue(bot, venue)
    rules, price, qty = size_open(adapter, bot.symbol, requested)
    if exits:
        from egis.exits.services import exits_check_for_open

        exits_check_for_open(exits, bot=bot, side=chosen_side, price=price, tick=rules.tick_size)

    with transaction.atomic():
        bot = _load_bot(bot_id, lock=True)
        first = _first_submission(bot.pk, key)
        if first is not None:
            return first
        if bot.exchange_account_id is not None:
            # Bots sharing an account net into one position: lock the account (after the bot,
            # always in that order) so two opposite opens cannot both pass the netting check.
            _ACCOUNT_LOCKED.one(bot.exchange_account_id)
        open_preflight(bot, chosen_side, requested)  # under the bot lock
        position = Position(
            bot=bot,
            symbol=bot.symbol,
            side=chosen_side,
            status=PositionStatus.OPEN,
            requested_size_usd=requested,
            size_usd=requested,  # the hold: reserved until the fill replaces it
            qty=0,
        )
        order = _write_ahead_order(
            bot,
            position,
            intent=OrderIntent.OPEN,
            side=OrderSide.BUY if chosen_side == PositionSide.LONG else OrderSide.SELL,
            qty=qty,
            actor=actor,
            requested_usd=requested,
            reference_price=price,
            idempotency_key=key,
            exits_asked=changes_as_json(exits) if exits else None,
        )
        event = event_row(
            position=position,
            order=order,
            bot_id=bot.pk,
            action="hold",
            after=position_snapshot(position),
            actor=actor,
            # With units at the symbol's precision (egis.core.figures), as the Activity tab shows.
            reason=f"open {chosen_side} {usd_text(requested)}: "
            f"{qty_text(qty, step=rules.step_size, symbol=bot.symbol)} "
            f"at reference {price_text(price, tick=rules.tick_size)}",
        )
        # The hold, its write-ahead order (each naming the other) and the event: one statement
        # on PostgreSQL (egis.core.row_writes), the same rows one by one on SQLite.
        writes = RowWrites()
        writes.insert(position, links={"opening_order_id": order})
        writes.insert(order, links={"position_id": position})
        writes.insert(event, links={"position_id": position, "order_id": order})
        writes.run()
        position.opening_order = order
    result = _execute(order, position, adapter, actor=actor)
    if exits:
        from egis.exits.asked import exits_attach_asked

        exits_attach_asked(result.order, changes=exits, actor=actor, venue=venue)
    return result


@order_timed(OrderIntent.CLOSE)
def order_close(
    *,
    bot_id: int,
    position_id: object,
    actor: Any = None,
    venue: VenueAdapter | None = None,
    idempotency_key: str | None = None,
    reason: str = CloseReason.MANUAL,
    firing: ExitFiring | None = None,
    loaded: Bot | None = None,
) -> OrderResult:
    """Close a position whole. `reason` is what its closed row will say (CloseReason); a close
    caused by an exit names it in `firing` (egis.exits.paper_engine). `loaded` as for
    order_open."""
    _assert_no_transaction()
    pid = parse_position_id(position_id)
    key = parse_idempotency_key(idempotency_key)
    bot = _unlocked_bot(bot_id, loaded)
    adapter = _prepare_venue(bot, venue)
    exits_before_close(bot, pid, reason=reason)  # Binance: its exits are cancelled there first
    with transaction.atomic():
        bot = _load_bot(bot_id, lock=True)
        # A replayed close (same bot, same key) gets the first close's result, like an open.
        first = _first_submission(bot.pk, key)
        if first is not None:
            return first
        position = _POSITION_LOCKED.one(pid)
        if position is None or position.bot_id != bot.pk:
            raise PositionNotFound(f"Position #{pid} does not belong to bot #{bot.pk}.")
        if position.status != PositionStatus.OPEN:
            raise PositionNotOpen(
                f"Position #{pid} is {position.status}: only open positions close."
            )
        if position.closing_order_id is not None:
            raise PositionBusy(f"Position #{pid} is already closing.")
        if position.qty == 0:
            raise PositionBusy(f"Position #{pid} is still opening: wait for its fill.")
        order = _write_ahead_order(
            bot,
            position,
            intent=OrderIntent.CLOSE,
            side=OrderSide.SELL if position.side == PositionSide.LONG else OrderSide.BUY,
            qty=position.qty,  # this bot's own quantity, never the account's net
            actor=actor,
            idempotency_key=key,
            close_reason=reason,
        )
        before = position_snapshot(position)
        # The order, the position naming it as its closing order, and the event whose snapshot
        # names it too: one statement on PostgreSQL (egis.core.row_writes), one by one on SQLite.
        writes = RowWrites()
        writes.insert(order)
        writes.update(position, ["closing_order"], links={"closing_order_id": order})
        writes.insert(
            event_row(
                position=position,
                order=order,
                bot_id=bot.pk,
                action="closing",
                before=before,
                after=position_snapshot(position),
                actor=actor,
                reason=closing_words(order, crossed_at=firing.price if firing else None),
            ),
            links={"order_id": order},
            json_links={"after": {"closing_order_id": order}},
        )
        writes.run()
        position.closing_order = order
        exits_on_close_preflight(position, order, firing, venue=bot.venue)
    return _execute(order, position, adapter, actor=actor)


def _execute(order: Order, position: Position, venue: VenueAdapter, *, actor: Any) -> OrderResult:
    bind_order(order.client_order_id)  # every log line from here on names the order
    request = OrderRequest(
        client_order_id=order.client_order_id,
        symbol=order.symbol,
        side=order.side,
        qty=order.requested_qty,
        reduce_only=order.reduce_only,
    )
    try:
        report = venue.place_market_order(request)
    except (VenueRejected, VenueUnavailable) as exc:
        return after_refusal(order, exc, actor=actor)
    except Exception as exc:  # timeout, 5xx, -1006/-1007, or an adapter bug: fate unknown
        return after_unknown(order, exc)
    return after_fill(order, report, actor=actor)


__all__ = ["OrderRefused", "OrderResult", "order_close", "order_open", "order_submit"]
