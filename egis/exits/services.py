"""Setting and clearing a position's exits (every edge calls these: pages, API, CLI, signals).

Validation comes first and sends nothing (egis.exits.rules): a refusal is an `InvalidExit`
(422) naming the field. Rows are written ahead of any venue call. Paper exits are born
`resting` (the worker's engine watches them, egis.exits.paper_engine); exits on another venue
are born `placing` and handed to the venue side through one seam,
`egis.exits.binance_sync.exits_place`, after the rows are committed; exits they replace are
cancelled there first (`exits_cancel`), so two stops of one position never rest at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from egis.bots.locks import LIVE_BOT, lock_bot
from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.figures import price_text
from egis.exits.events import describe, exit_event
from egis.exits.ids import new_client_algo_id
from egis.exits.models import LIVE_EXIT_STATUSES, Exit, ExitKind, ExitStatus
from egis.exits.rules import (
    ExitChanges,
    LevelSpec,
    TrailingSpec,
    check_activation,
    check_side_of_price,
    direction_of,
    level_trigger,
    trailing_trigger,
)
from egis.ledger.errors import (
    BotNotFound,
    PositionBusy,
    PositionNotFound,
    PositionNotOpen,
    VenueNotReady,
)
from egis.ledger.models import Position, PositionStatus
from egis.venues.base import VenueAdapter, VenueError
from egis.venues.prices.sources import PriceUnavailable
from egis.venues.registry import venue_for

logger = logging.getLogger("egis.exits")


@dataclass(frozen=True)
class PlannedExit:
    kind: str
    direction: str
    trigger_price: Decimal | None
    callback_pct: Decimal | None = None
    activation_price: Decimal | None = None
    extreme_price: Decimal | None = None
    spec: dict[str, str] | None = None


def plan_exits(
    changes: ExitChanges,
    *,
    side: str,
    entry: Decimal,
    current: Decimal,
    tick: Decimal,
    check_current: bool = True,
) -> list[PlannedExit]:
    """The rows the changes mean for a position (`entry` for percentages), validated against the
    current price unless `check_current` is off (exits attached right after an open's fill were
    checked against the reference price before the open was sent)."""
    planned: list[PlannedExit] = []
    for kind, spec in changes.items():
        if spec is None:
            continue
        direction = direction_of(kind, side)
        if isinstance(spec, LevelSpec):
            trigger = level_trigger(kind, spec, side=side, entry=entry, tick=tick)
            if check_current:
                check_side_of_price(kind, trigger, side=side, current=current)
            planned.append(PlannedExit(kind, direction, trigger, spec=spec.as_json()))
            continue
        assert isinstance(spec, TrailingSpec)
        if check_current:
            check_activation(spec, side=side, current=current, tick=tick)
        if spec.activation_price is not None:
            extreme, trigger_or_none = spec.activation_price, None
        else:
            extreme = current
            trigger_or_none = trailing_trigger(current, spec.callback_pct, side=side, tick=tick)
        planned.append(
            PlannedExit(
                kind,
                direction,
                trigger_or_none,
                callback_pct=spec.callback_pct,
                activation_price=spec.activation_price,
                extreme_price=extreme,
                spec=spec.as_json(),
            )
        )
    return planned


def _market(bot: Bot, venue: VenueAdapter | None) -> tuple[VenueAdapter, Decimal, Decimal]:
    """(adapter, current price, tick) of the bot's symbol; VenueNotReady without a price."""
    try:
        adapter = venue or venue_for(bot)
        tick = adapter.symbol_rules(bot.symbol).tick_size
        return adapter, adapter.reference_price(bot.symbol), tick
    except (VenueError, PriceUnavailable) as exc:
        raise VenueNotReady(str(exc)) from exc


def exits_check_for_open(
    changes: ExitChanges | None, *, bot: Bot, side: str, price: Decimal, tick: Decimal
) -> None:
    """Before an open is sent: the exits it asks for, judged with the reference price as both
    the entry and the current price. Raises InvalidExit; sends and writes nothing."""
    if changes:
        plan_exits(changes, side=side, entry=price, current=price, tick=tick)


def _load(bot_id: int, position_id: int) -> tuple[Bot, Position]:
    bot = LIVE_BOT.one(bot_id)
    if bot is None:
        raise BotNotFound(f"Bot #{bot_id} does not exist.")
    position = Position.objects.filter(pk=position_id, bot_id=bot.pk).first()
    if position is None:
        raise PositionNotFound(f"Position #{position_id} does not belong to bot #{bot.pk}.")
    return bot, position


def _check_settable(position: Position) -> None:
    if position.status != PositionStatus.OPEN:
        raise PositionNotOpen(
            f"Position #{position.pk} is {position.status}: exits belong to open positions."
        )
    if position.closing_order_id is not None:
        raise PositionBusy(f"Position #{position.pk} is closing: its exits can no longer change.")
    if position.qty <= 0 or position.entry_price is None:
        raise PositionBusy(f"Position #{position.pk} is still opening: wait for its fill.")


def _live_ids(position_id: int, kinds: Iterable[str]) -> list[int]:
    return list(
        Exit.objects.filter(position_id=position_id, kind__in=list(kinds))
        .filter(status__in=LIVE_EXIT_STATUSES)
        .order_by("id")
        .values_list("id", flat=True)
    )


def exits_set(
    *,
    bot_id: int,
    position_id: int,
    changes: ExitChanges,
    actor: Any = None,
    venue: VenueAdapter | None = None,
    after_open: bool = False,
) -> list[Exit]:
    """Set (or, with None, clear) the given kinds of exit of an open position; kinds not in
    `changes` stay as they are. Returns the position's live exits."""
    if connection.in_atomic_block:
        raise RuntimeError("exits_set must not run inside a database transaction")
    bot, position = _load(bot_id, position_id)
    _check_settable(position)
    _adapter, current, tick = _market(bot, venue)
    assert position.entry_price is not None
    planned = plan_exits(
        changes,
        side=position.side,
        entry=position.entry_price,
        current=current,
        tick=tick,
        check_current=not after_open,
    )
    paper = bot.venue == Venue.PAPER
    replaced = _live_ids(position.pk, changes)
    if replaced and not paper:
        from egis.exits import binance_sync

        binance_sync.exits_cancel(replaced, why=f"exits of position #{position.pk} changed")
    created: list[int] = []
    with transaction.atomic():
        lock_bot(bot.pk)
        position = Position.objects.select_for_update().get(pk=position.pk)
        _check_settable(position)
        now = timezone.now()
        if not paper:
            from egis.exits.binance_rows import marks_superseded

            marks_superseded(position.pk, changes)
        for exit_row in Exit.objects.filter(pk__in=_live_ids(position.pk, changes)):
            if not paper:
                raise PositionBusy(
                    f"The {describe(exit_row)} of position #{position.pk} is still live on the "
                    "venue: nothing was changed."
                )
            exit_row.status, exit_row.ended_at = ExitStatus.CANCELLED, now
            exit_row.save(update_fields=["status", "ended_at", "updated_at"])
            exit_event(
                exit_row,
                position=position,
                action="exit_cleared",
                actor=actor,
                reason=f"{describe(exit_row)} "
                f"{'replaced' if changes.get(exit_row.kind) else 'cleared'}",
            )
        for plan in planned:
            exit_row = Exit.objects.create(
                position=position,
                bot=bot,
                venue=bot.venue,
                symbol=position.symbol,
                kind=plan.kind,
                direction=plan.direction,
                trigger_price=plan.trigger_price,
                callback_pct=plan.callback_pct,
                activation_price=plan.activation_price,
                extreme_price=plan.extreme_price,
                spec=plan.spec or {},
                quantity=position.qty,
                client_algo_id=new_client_algo_id(bot.pk),
                status=ExitStatus.RESTING if paper else ExitStatus.PLACING,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            created.append(exit_row.pk)
            exit_event(
                exit_row,
                position=position,
                action="exit_set",
                actor=actor,
                reason=f"{describe(exit_row, tick=tick)} for {position.side} {position.symbol} "
                f"entered at {price_text(position.entry_price or current, tick=tick)} "
                f"(price {price_text(current, tick=tick)})",
            )
    if created and not paper:
        from egis.exits import binance_sync

        binance_sync.exits_place(created)
    return live_exits(position.pk)


def exits_clear(
    *,
    bot_id: int,
    position_id: int,
    kinds: Iterable[str] | None = None,
    actor: Any = None,
    venue: VenueAdapter | None = None,
) -> list[Exit]:
    """Remove some (or all) exits of an open position."""
    chosen = list(kinds) if kinds else list(ExitKind.values)
    return exits_set(
        bot_id=bot_id,
        position_id=position_id,
        changes=dict.fromkeys(chosen),
        actor=actor,
        venue=venue,
    )


def exits_attach_after_open(
    position_id: int, changes: ExitChanges | None, *, actor: Any, venue: VenueAdapter | None
) -> list[Exit]:
    """The exits an open asked for, once its fill is booked (checked before it was sent). A
    failure here must not hide the open that succeeded: it is logged and audited."""
    if not changes:
        return []
    position = Position.objects.filter(pk=position_id).first()
    if position is None or position.status != PositionStatus.OPEN or position.qty <= 0:
        return []
    try:
        return exits_set(
            bot_id=position.bot_id,
            position_id=position.pk,
            changes=changes,
            actor=actor,
            venue=venue,
            after_open=True,
        )
    except Exception as exc:
        logger.exception("exits of position #%s could not be set after its open", position_id)
        from egis.ledger.events import event_record

        event_record(
            position=position,
            bot_id=position.bot_id,
            action="exit_not_set",
            actor=actor,
            reason=f"the exits asked with the open were not set: {exc}"[:2000],
        )
        return []


def live_exits(position_id: int) -> list[Exit]:
    return list(
        Exit.objects.filter(position_id=position_id, status__in=LIVE_EXIT_STATUSES).order_by(
            "kind", "id"
        )
    )
