"""The open's checks before anything is written: may the bot open, netting, its risk limits, the
budget; and the open's sizing (the quantity the requested USD buys).

`order_open` (egis.ledger.pipeline) runs them, the preflight under the bot lock. The open form's
quote (egis.ledger.quote) runs the same functions without a lock, so that it says before the tap
what the Open would be refused, and sizes exactly as the order is sized. Reads only: nothing is
written and nothing is sent.
"""

from __future__ import annotations

from decimal import Decimal

from egis.bots.halt_words import halt_words
from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.rows import RowQuery
from egis.ledger import budget, risk
from egis.ledger.errors import (
    BotNotTradable,
    BotPaused,
    NettingConflict,
    OrderSizeRejected,
    VenueNotReady,
)
from egis.ledger.models import Position, PositionSide, PositionStatus
from egis.portfolio.pause import paused_message
from egis.venues.base import SymbolRules, VenueAdapter, VenueError
from egis.venues.prices.sources import PriceUnavailable
from egis.venues.rules import OrderSizeInvalid, market_qty_for_usd

# The open's netting read on a paper bot, compiled once (egis.core.rows) like the pipeline's.
_OPPOSITE_ON_BOT = RowQuery(
    Position,
    "bot_id = %s AND symbol = %s AND side = %s AND status = %s",
    fields=["id"],
    order_by="id",
    limit=1,
)


def _check_can_open(bot: Bot) -> None:
    if not bot.is_active:
        raise BotNotTradable(f"Bot #{bot.pk} is inactive: activate it before opening positions.")
    if bot.is_paused:  # paused by a person (egis.portfolio.pause): every source of opens
        raise BotPaused(paused_message(bot))
    if bot.is_halted:
        raise BotNotTradable(
            f"Bot #{bot.pk} is halted for new opens (closes still work). "
            f"{halt_words(bot.halted_reason)}"
        )


def _check_netting(bot: Bot, side: str) -> None:
    """One-way mode nets an account + symbol: a long and a short can never be open together."""
    opposite = PositionSide.SHORT if side == PositionSide.LONG else PositionSide.LONG
    clash: Position | None
    if bot.venue == Venue.PAPER:
        clash = _OPPOSITE_ON_BOT.one(bot.pk, bot.symbol, opposite, PositionStatus.OPEN)
    else:
        clash = (
            Position.objects.filter(
                status=PositionStatus.OPEN,
                symbol=bot.symbol,
                side=opposite,
                bot__exchange_account_id=bot.exchange_account_id,
            )
            .order_by("id")
            .first()
        )
    if clash is not None:
        # In words a trader knows: what to do, and why, without the exchange's setting name
        # alone ("one-way mode" told a newcomer nothing).
        if bot.venue == Venue.PAPER:
            where = "this bot"
            why = "a bot holds one direction per symbol at a time"
        else:
            where = "this Binance account"
            why = (
                "Binance adds a long and a short on one symbol into one net position (the "
                "account's One-way position mode), so both cannot be open at once"
            )
        raise NettingConflict(
            f"A {opposite} {bot.symbol} position (#{clash.pk}) is open on {where}: close the "
            f"{opposite} first ({why})."
        )


def open_preflight(bot: Bot, side: str, requested: Decimal) -> None:
    """The open preflight's checks, in order: the bot may open (active, not paused or halted),
    netting, the bot's risk limits, the budget. Reads only: raises the refusal the open gets.
    `order_open` calls it under the bot lock; the open form's quote (egis.ledger.quote) calls
    it without, to say before the tap what the Open would be refused."""
    _check_can_open(bot)
    _check_netting(bot, side)
    risk.check_open(bot, requested)  # the bot's own limits
    budget.ensure_affordable(bot, requested)


def size_open(
    adapter: VenueAdapter, symbol: str, requested: Decimal
) -> tuple[SymbolRules, Decimal, Decimal]:
    """An open's sizing: the symbol's rules, the reference price, and the quantity `requested`
    USD buys (rounded down to the step, checked). The open form's quote (egis.ledger.quote)
    calls the same two steps, so it shows what the order sends."""
    rules, price = open_market(adapter, symbol)
    return rules, price, open_qty(adapter, rules, price, requested)


def open_market(adapter: VenueAdapter, symbol: str) -> tuple[SymbolRules, Decimal]:
    """The symbol's rules and the reference price an open is sized at (VenueNotReady without)."""
    try:
        return adapter.symbol_rules(symbol), adapter.reference_price(symbol)
    except (VenueError, PriceUnavailable) as exc:
        raise VenueNotReady(str(exc)) from exc


def open_qty(
    adapter: VenueAdapter, rules: SymbolRules, price: Decimal, requested: Decimal
) -> Decimal:
    """The quantity `requested` USD buys at `price`, rounded down to the step; OrderSizeRejected
    (with the smallest amount that opens, when too small) outside the symbol's limits."""
    try:
        return market_qty_for_usd(requested, price, rules, buffer=adapter.price_buffer())
    except OrderSizeInvalid as exc:
        raise OrderSizeRejected(str(exc), smallest_usd=exc.smallest_usd) from exc
    except (VenueError, PriceUnavailable) as exc:
        raise VenueNotReady(str(exc)) from exc
