"""The portfolio at a glance (the Bots list's header): totals over the bots on the screen and,
in words, whether anything needs attention.

Every money total is the sum of the figures the bot cards show (the budget's shown cents, each
bot's shown realized PnL, which is itself the sum of its shown closed rows), so the header adds
up to the cards under it; exact figures ride along for hints. Nothing here reads a bot's closed
history: the closed figures come from the maintained totals (egis.portfolio.totals).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from egis.bots.halt_words import halt_words
from egis.bots.models import Bot
from egis.core.money import usd_str
from egis.ledger.budget import Budget
from egis.portfolio.lines import cents_text, win_rate_text
from egis.portfolio.totals import ClosedTotals
from egis.venues.prices.quotes import price_feeds


@dataclass(frozen=True)
class BotFigures:
    bot: Bot
    budget: Budget
    closed: ClosedTotals
    unrealized: Decimal | None  # None: some open position has no price
    # What the bot's card shows: the sum of its open lines' shown cents (None: no price).
    unrealized_shown: Decimal | None
    open_positions: int
    open_fees: Decimal  # entry fees already paid on open positions
    open_incidents: int
    risk_halt: str
    open_fee_cents: int = 0  # the same rows' fees as shown (egis.ledger.pnl.shown_fee_cents)


def feed_state(symbols: set[str]) -> dict[str, Any]:
    """How fresh the prices of these symbols are, by the one rule the cards and the bot page use
    (egis.venues.prices.quotes: older than EGIS_PRICE_STALE_SECONDS is stale), so the header
    never says "fresh" next to a card that says "stale"."""
    feeds = price_feeds(symbols)
    missing = sorted(s for s, f in feeds.items() if f["price"] is None)
    stale = sorted(
        (s, f["age_s"]) for s, f in feeds.items() if f["price"] is not None and f["stale"]
    )
    return {
        "source": settings.EGIS_PRICE_SOURCE,
        "fresh": not missing and not stale,
        "missing": missing,
        "stale": [{"symbol": s, "age_s": a} for s, a in stale],
        "stale_after_s": settings.EGIS_PRICE_STALE_SECONDS,
    }


def _attention(figures: Sequence[BotFigures], feed: dict[str, Any]) -> list[str]:
    items = []
    for f in figures:
        if f.bot.halted_reason:
            items.append(f"{f.bot.name} is halted. {halt_words(f.bot.halted_reason)}")
        elif f.risk_halt:
            items.append(f"{f.bot.name} is halted for today: {f.risk_halt}")
        if f.open_incidents:
            s = "" if f.open_incidents == 1 else "s"
            items.append(f"{f.bot.name} has {f.open_incidents} open incident{s}")
    for symbol in feed["missing"]:
        items.append(f"No price for {symbol}: unrealized PnL is unknown")
    for row in feed["stale"]:
        items.append(
            f"The {row['symbol']} price is {row['age_s']} s old (stale after "
            f"{feed['stale_after_s']} s): the worker may be down"
        )
    return items


def portfolio_header(
    figures: Sequence[BotFigures], *, unassigned_incidents: int = 0
) -> dict[str, Any]:
    """Totals and the attention list over the bots given (the caller picks which: a user's own,
    an admin's all or filtered). `unassigned_incidents`: open incidents naming no bot (admins)."""
    initial = reserved = available = fees = Decimal(0)
    cents = fee_cents = closed = wins = 0
    exact_realized = Decimal(0)
    unrealized: Decimal | None = Decimal(0)
    unrealized_shown: Decimal | None = Decimal(0)
    for f in figures:
        shown = f.budget.display
        initial += shown.initial_budget_usd
        reserved += shown.reserved_usd
        available += shown.available_usd
        fees += f.closed.fees_usd + f.open_fees
        fee_cents += f.closed.shown_fee_cents + f.open_fee_cents
        cents += f.closed.shown_net_cents
        exact_realized += f.closed.realized_net_usd
        closed += f.closed.closed_count
        wins += f.closed.wins
        if unrealized is not None:
            unrealized = None if f.unrealized is None else unrealized + f.unrealized
        if unrealized_shown is not None:
            unrealized_shown = (
                None if f.unrealized_shown is None else unrealized_shown + f.unrealized_shown
            )
    symbols = {f.bot.symbol for f in figures}
    feed = feed_state(symbols) if symbols else {"fresh": True, "missing": [], "stale": []}
    attention = _attention(figures, feed)
    if unassigned_incidents:
        s = "" if unassigned_incidents == 1 else "s"
        attention.append(f"{unassigned_incidents} open incident{s} naming no bot")
    paused = [f.bot.name for f in figures if f.bot.is_paused]
    return {
        "bots": len(figures),
        "initial_budget_usd": f"{initial:.2f}",
        "reserved_usd": f"{reserved:.2f}",
        "available_usd": f"{available:.2f}",
        "realized_pnl_usd": cents_text(cents),
        "realized_pnl_exact_usd": usd_str(exact_realized),
        "unrealized_pnl_usd": None if unrealized is None else usd_str(unrealized),
        # Shown: the sum of the cards' shown figures, so the header adds up to the cards.
        "unrealized_shown_usd": None
        if unrealized is None or unrealized_shown is None
        else f"{(unrealized_shown or Decimal(0)):.2f}",
        # Shown: the sum of the rows' shown fees (closed and open), so the rows add up to it.
        "fees_usd": cents_text(fee_cents),
        "fees_exact_usd": usd_str(fees),
        "closed_count": closed,
        "wins": wins,
        "win_rate_pct": win_rate_text(wins, closed),
        "open_positions": sum(f.open_positions for f in figures),
        "paused": paused,
        "feed": feed,
        "all_fine": not attention,
        "attention": attention,
        "status_text": "All fine: no halts, no open incidents, prices are fresh."
        if not attention
        else f"{len(attention)} thing{'s' if len(attention) != 1 else ''} need"
        f"{'s' if len(attention) == 1 else ''} attention.",
    }
