"""Small JSON pieces the Bots list and the bot page show (exact decimal strings; the page
formats them and never computes): one line per open position, the closed totals, the pause."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from egis.bots.models import Bot
from egis.core.money import plain, usd_str
from egis.ledger.budget import shown_hold
from egis.ledger.pnl import shown_unrealized
from egis.portfolio.pause import paused_message
from egis.portfolio.totals import ClosedTotals


def _two(value: Decimal) -> str:
    return f"{value if value else Decimal(0):.2f}"


def cents_text(cents: int) -> str:
    """Whole cents as the page receives them: "0.19", "-0.09", "0.00" (never "-0.00")."""
    if cents < 0:
        whole, part = divmod(-cents, 100)
        return f"-{whole}.{part:02d}"
    whole, part = divmod(cents, 100)
    return f"{whole}.{part:02d}"


def open_line(row: Mapping[str, Any], unrealized: Decimal | None) -> dict[str, Any]:
    """One open position as a line on a bot card: side, size (shown like the budget's holds),
    quantity, unrealized PnL (None without a price; in flight while it has no fill yet)."""
    in_flight = row["qty"] == 0
    return {
        "id": row["id"],
        "side": row["side"],
        "symbol": row["symbol"],
        "qty": plain(row["qty"]),
        "size_usd": _two(shown_hold(row["size_usd"])),
        "unrealized_pnl_usd": None if unrealized is None or in_flight else usd_str(unrealized),
        "unrealized_shown_usd": None
        if unrealized is None or in_flight
        else _two(shown_unrealized(unrealized)),
        "opening": in_flight,
    }


def win_rate_text(wins: int, closed: int) -> str | None:
    """Wins over closed trades, in percent with one decimal (None before the first close)."""
    if closed == 0:
        return None
    share = (Decimal(wins) * 100 / Decimal(closed)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return plain(share) if share % 1 else f"{share:.0f}"


def closed_totals_json(t: ClosedTotals) -> dict[str, Any]:
    return {
        "closed_count": t.closed_count,
        "wins": t.wins,
        "win_rate_pct": win_rate_text(t.wins, t.closed_count),
        "fees_usd": cents_text(t.shown_fee_cents),  # shown: the sum of the rows' shown fees
        "fees_exact_usd": usd_str(t.fees_usd),
        "realized_pnl_usd": cents_text(t.shown_net_cents),  # shown: the sum of the shown rows
        "realized_pnl_exact_usd": usd_str(t.realized_net_usd),
    }


def pause_json(bot: Bot) -> dict[str, Any]:
    return {
        "paused": bot.is_paused,
        "paused_at": bot.paused_at.isoformat() if bot.paused_at else None,
        "paused_by": bot.paused_by,
        "paused_reason": paused_message(bot) if bot.is_paused else "",
    }
