"""One bot's figures as the Bots list row and the bot page's header show them: read for many bots
in a bounded number of queries (`_facts`), then presented (`_summary`) as exact decimal strings
and shown whole cents for the page to format. The reads that use them are egis.bots.selectors
(`dashboard`, `bot_detail`).

Budget figures come only from egis.ledger.budget, realized PnL's definition from egis.ledger.pnl.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import Count

from egis.bots.halt_words import halt_words
from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.money import plain, usd_str
from egis.ledger import budget as budget_service
from egis.ledger.domain import unrealized_pnl
from egis.ledger.models import Incident, IncidentStatus, Position, PositionStatus
from egis.ledger.pnl import REALIZED_PNL_DEFINITION, shown_fee_cents, shown_net, shown_unrealized
from egis.ledger.risk import RiskLimits, daily_loss_halts
from egis.portfolio.lines import closed_totals_json, open_line, pause_json
from egis.portfolio.totals import ClosedTotals, totals_of
from egis.venues.prices.quotes import quotes_of


def mark_prices(symbols: set[str]) -> dict[str, Decimal | None]:
    """Stored price per symbol (what the worker last stored, in one query, never the network);
    None when no price is known. Its age is egis.venues.prices.quotes.price_feeds."""
    return {symbol: q.price if q else None for symbol, q in quotes_of(symbols).items()}


def _budget_json(b: budget_service.Budget) -> dict[str, str]:
    """The shown figures of the budget service (whole cents that add up); the page formats them
    and never rounds or subtracts. The bar's width is a display share, never used for a decision.
    """
    shown = b.display
    if shown.initial_budget_usd > 0:
        share = shown.reserved_usd * 100 / shown.initial_budget_usd
        pct = min(max(share, Decimal(0)), Decimal(100)).quantize(Decimal("0.1"), ROUND_DOWN)
    else:
        pct = Decimal(0)
    return {**shown.as_json(), "reserved_pct": plain(pct)}


# Realized PnL of a bot is defined once, in the ledger (egis.ledger.pnl): the list, the detail
# header, the closed rows, the chart and the daily loss limit all read REALIZED_ROWS.


# How realized PnL is SHOWN: egis.bots.pnl_series (SHOWN_NET_CENTS_SQL, the chart's points).


def _cents(count: int | Decimal | None) -> Decimal:
    return shown_net(Decimal(int(count or 0)).scaleb(-2))


def _two(value: Decimal) -> str:
    """A shown figure (whole cents) as the page receives it: "0.19", "-0.09", "0.00"."""
    return f"{value if value else Decimal(0):.2f}"


def realized_pnl_hint(open_fees: Decimal, exact: Decimal | None = None) -> str:
    hint = REALIZED_PNL_DEFINITION
    if exact is not None:
        sign = "+" if exact > 0 else "-" if exact < 0 else ""
        hint += (
            " Each closed position is shown in whole cents (rounded half away from zero) and "
            f"this figure is their sum; exact: {sign}${usd_str(abs(exact))}."
        )
    if open_fees == 0:
        return hint
    return f"{hint} Entry fees already paid on open positions: ${usd_str(open_fees)}."


@dataclass(frozen=True)
class _BotFacts:
    open_positions: int
    realized_net: Decimal  # REALIZED_ROWS: realized_pnl_usd - fees_usd
    realized_shown: Decimal  # the sum of the same rows' shown cents (`shown_net`)
    open_fees: Decimal  # entry fees of open positions, shown apart (not in realized_net)
    unrealized: Decimal | None
    open_incidents: int
    open_fee_cents: int = 0  # the same rows' fees as shown (`shown_fee_cents`)
    # The sum of the open lines' shown cents (`shown_unrealized`): what the card shows, so it adds
    # up to its lines; None when some open position has no price.
    unrealized_shown: Decimal | None = None
    risk_halt: str = ""  # the daily loss limit halts opens for the rest of the UTC day: why
    closed: ClosedTotals = field(default_factory=ClosedTotals)  # maintained (egis.portfolio)
    open_lines: list[dict[str, Any]] = field(default_factory=list)  # one line per open position


def _facts(bots: list[Bot]) -> dict[int, _BotFacts]:
    ids = [b.pk for b in bots]
    # Closed figures from the maintained per-bot totals (egis.portfolio.totals: one row per
    # bot, checked against the SUM by the drift job), never a SUM over the whole history.
    closed = totals_of(ids)
    incidents = dict(
        Incident.objects.filter(bot_id__in=ids, status=IncidentStatus.OPEN)
        .values("bot_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("bot_id", "n")
    )
    open_rows = list(
        Position.objects.filter(bot_id__in=ids, status=PositionStatus.OPEN)
        .order_by("bot_id", "id")
        .values("id", "bot_id", "symbol", "side", "entry_price", "qty", "size_usd", "fees_usd")
    )
    prices = mark_prices({row["symbol"] for row in open_rows})
    halts = daily_loss_halts(bots)
    unrealized: dict[int, Decimal | None] = {}
    unrealized_shown: dict[int, Decimal | None] = {}
    open_lines: dict[int, list[dict[str, Any]]] = {}
    open_fees: dict[int, Decimal] = {}
    open_fee_cents: dict[int, int] = {}
    for row in open_rows:
        bot_id = row["bot_id"]
        open_fees[bot_id] = open_fees.get(bot_id, Decimal(0)) + row["fees_usd"]
        open_fee_cents[bot_id] = open_fee_cents.get(bot_id, 0) + shown_fee_cents(row["fees_usd"])
        mark = prices.get(row["symbol"])
        pnl = (
            None
            if mark is None
            else unrealized_pnl(row["side"], row["entry_price"], mark, row["qty"])
        )
        open_lines.setdefault(bot_id, []).append(open_line(row, pnl))
        if pnl is None or unrealized.get(bot_id, Decimal(0)) is None:
            unrealized[bot_id] = unrealized_shown[bot_id] = None
            continue
        unrealized[bot_id] = (unrealized.get(bot_id) or Decimal(0)) + pnl
        unrealized_shown[bot_id] = (unrealized_shown.get(bot_id) or Decimal(0)) + (
            Decimal(0) if row["qty"] == 0 else shown_unrealized(pnl)  # in flight: no line figure
        )
    facts = {}
    for bot in bots:
        kept = closed[bot.pk]
        facts[bot.pk] = _BotFacts(
            open_positions=len(open_lines.get(bot.pk, [])),
            realized_net=kept.realized_net_usd,
            realized_shown=_cents(kept.shown_net_cents),
            open_fees=open_fees.get(bot.pk, Decimal(0)),
            open_fee_cents=open_fee_cents.get(bot.pk, 0),
            unrealized=unrealized.get(bot.pk, Decimal(0)),
            unrealized_shown=unrealized_shown.get(bot.pk, Decimal(0)),
            open_incidents=incidents.get(bot.pk, 0),
            risk_halt=halts.get(bot.pk, ""),
            closed=kept,
            open_lines=open_lines.get(bot.pk, []),
        )
    return facts


def _summary(
    bot: Bot, b: budget_service.Budget, facts: _BotFacts, *, with_owner: bool
) -> dict[str, Any]:
    return {
        "id": bot.pk,
        "name": bot.name,
        "venue": bot.venue,
        "venue_label": "Paper" if bot.venue == Venue.PAPER else "Binance demo",
        "symbol": bot.symbol,
        "owner": bot.owner.username if with_owner else None,
        "is_active": bot.is_active,
        "halted_reason": bot.halted_reason,
        "halted_words": halt_words(bot.halted_reason),  # the reason in a trader's words
        "open_incidents": facts.open_incidents,
        "open_positions": facts.open_positions,
        "budget": _budget_json(b),
        "realized_pnl_usd": _two(facts.realized_shown),  # shown: the sum of the shown rows
        "realized_pnl_exact_usd": usd_str(facts.realized_net),
        "realized_pnl_hint": realized_pnl_hint(facts.open_fees, facts.realized_net),
        # Shown: the sum of the open lines' shown cents (as realized is of the closed rows).
        "unrealized_pnl_usd": None
        if facts.unrealized_shown is None
        else _two(facts.unrealized_shown),
        "unrealized_pnl_exact_usd": usd_str(facts.unrealized),
        "risk_limits": RiskLimits.of(bot).as_json(),
        "risk_halt": facts.risk_halt,
        # Cockpit (egis.portfolio): open positions one line each, the closed totals, the pause.
        "open_lines": facts.open_lines,
        "closed_totals": closed_totals_json(facts.closed),
        **pause_json(bot),
    }
