"""A bot as a JSON-ready dict (money as decimal strings): the one bot presenter, for the CLI and
the API."""

from __future__ import annotations

from typing import Any

from egis.bots.halt_words import halt_words
from egis.bots.models import Bot
from egis.bots.selectors import bot_open_facts
from egis.core.money import usd_str
from egis.ledger.risk import RiskLimits, daily_loss_halts


def bot_json(bot: Bot) -> dict[str, Any]:
    """Reads the annotations of egis.bots.selectors.bots_with_counts when the bot came from it
    (a list: one query), and asks for the two facts otherwise (one bot)."""
    open_positions, has_open_incident = bot_open_facts(bot)
    # Today's loss past the bot's daily limit halts opens until the UTC day ends: not a stored
    # halt (`halted` stays false), and a script must still see it (one query, only for a bot
    # with the limit set).
    daily_loss_halt = daily_loss_halts([bot]).get(bot.pk, "")
    return {
        "id": bot.pk,
        "name": bot.name,
        "owner": bot.owner.username,
        "venue": bot.venue,
        "symbol": bot.symbol,
        "leverage": bot.leverage,
        "exchange_account_id": bot.exchange_account_id,
        "initial_budget_usd": usd_str(bot.initial_budget_usd),
        "is_active": bot.is_active,
        "halted": bot.is_halted,
        "halted_reason": bot.halted_reason,
        "halted_words": halt_words(bot.halted_reason),  # the reason in a trader's words
        "daily_loss_halt": daily_loss_halt,
        "opens_halted": bot.is_halted or bool(daily_loss_halt),
        "paused": bot.is_paused,
        "paused_at": bot.paused_at.isoformat() if bot.paused_at else None,
        "paused_by": bot.paused_by,
        "created_at": bot.created_at.isoformat(),
        # The risk limits (egis.ledger.risk): null when off.
        **RiskLimits.of(bot).as_json(),
        "has_open_incident": has_open_incident,
        "open_positions": open_positions,
    }
