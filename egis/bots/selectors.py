"""Reads for the pages: a bounded number of queries whatever the number of bots (no N+1).

Budget figures come only from egis.ledger.budget; everything else here is presentation: exact
decimal strings for the page to format. The PnL chart's reads are egis.bots.pnl_series (its
names stay importable from here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from egis.accounts.models import User
from egis.bots.halt_words import halt_words
from egis.bots.locks import LIVE_BOT
from egis.bots.models import Bot
from egis.bots.pnl_series import PNL_POINTS as PNL_POINTS
from egis.bots.pnl_series import SHOWN_NET_CENTS_SQL as SHOWN_NET_CENTS_SQL
from egis.bots.pnl_series import pnl_series as pnl_series
from egis.core.choices import Venue
from egis.core.money import plain, usd_str
from egis.exits.presenters import rows_with_exits
from egis.ledger import budget as budget_service
from egis.ledger.domain import unrealized_pnl
from egis.ledger.models import (
    Incident,
    IncidentStatus,
    Order,
    Position,
    PositionStatus,
)
from egis.ledger.pnl import REALIZED_PNL_DEFINITION, shown_fee_cents, shown_net, shown_unrealized
from egis.ledger.presenters import position_json
from egis.ledger.risk import RiskLimits, daily_loss_halts
from egis.portfolio.activity import Steps, symbol_steps
from egis.portfolio.fill_words import CLOSE_ALL_TEXT, close_sheet_text
from egis.portfolio.header import BotFigures, portfolio_header
from egis.portfolio.history import CountedPaginator, closed_list_count
from egis.portfolio.lines import closed_totals_json, open_line, pause_json
from egis.portfolio.pause import paused_message
from egis.portfolio.stop import close_all_plan
from egis.portfolio.totals import ClosedTotals, totals_of
from egis.venues.prices.quotes import quotes_of

CLOSED_PAGE_SIZE = 10


def live_bots() -> QuerySet[Bot]:
    """Every bot that has not been deleted, with its owner."""
    return Bot.objects.filter(deleted_at__isnull=True).select_related("owner")


def bots_with_counts(qs: QuerySet[Bot]) -> QuerySet[Bot]:
    """One query for a list: open-position counts and open incidents come as annotations
    (`open_positions_count`, `has_open_incident`, read by egis.bots.presenters.bot_json).

    The count is a subquery over the bot's open rows only (index on bot, status), never a join
    over its whole history: a year of closed positions does not slow the list down.
    """
    open_incident = Incident.objects.filter(bot=OuterRef("pk"), status=IncidentStatus.OPEN)
    open_count = (
        Position.objects.filter(bot=OuterRef("pk"), status=PositionStatus.OPEN)
        .order_by()
        .values("bot")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.select_related("owner").annotate(
        open_positions_count=Coalesce(Subquery(open_count), 0),
        has_open_incident=Exists(open_incident),
    )


def bot_open_facts(bot: Bot) -> tuple[int, bool]:
    """(open positions, has an open incident) of one bot not read through bots_with_counts."""
    count = getattr(bot, "open_positions_count", None)
    if count is None:
        count = Position.objects.filter(bot=bot, status=PositionStatus.OPEN).count()
    incident = getattr(bot, "has_open_incident", None)
    if incident is None:
        incident = Incident.objects.filter(bot=bot, status=IncidentStatus.OPEN).exists()
    return int(count), bool(incident)


def bots_visible_to(user: User) -> QuerySet[Bot]:
    """The bots a person may see: their own, or every bot for an admin. Deleted bots never."""
    qs = Bot.objects.filter(deleted_at__isnull=True).select_related("owner")
    if not user.is_admin:
        qs = qs.filter(owner=user)
    return qs.order_by("name", "id")


def bot_for_user(user: User, bot_id: int) -> Bot | None:
    """One visible bot (the rule of bots_visible_to), or None: the page or the API answers 404,
    because another user's bot does not exist for them."""
    bot = LIVE_BOT.one(bot_id)
    if bot is None or not (user.is_admin or bot.owner_id == user.pk):
        return None
    return bot


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


def dashboard_rows(user: User) -> list[dict[str, Any]]:
    return dashboard(user)[0]


def dashboard(
    user: User, *, owner_id: int | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The Bots list: one row per bot and the portfolio header over the same bots
    (egis.portfolio.header). `owner_id` narrows an admin's list to one user's bots."""
    qs = bots_visible_to(user)
    if owner_id is not None and user.is_admin:
        qs = qs.filter(owner_id=owner_id)
    bots = list(qs)
    budgets = budget_service.get_budgets(bots)
    facts = _facts(bots)
    rows = [_summary(bot, budgets[bot.pk], facts[bot.pk], with_owner=user.is_admin) for bot in bots]
    figures = [
        BotFigures(
            bot=bot,
            budget=budgets[bot.pk],
            closed=facts[bot.pk].closed,
            unrealized=facts[bot.pk].unrealized,
            unrealized_shown=facts[bot.pk].unrealized_shown,
            open_positions=facts[bot.pk].open_positions,
            open_fees=facts[bot.pk].open_fees,
            open_fee_cents=facts[bot.pk].open_fee_cents,
            open_incidents=facts[bot.pk].open_incidents,
            risk_halt=facts[bot.pk].risk_halt,
        )
        for bot in bots
    ]
    unassigned = (
        Incident.objects.filter(bot__isnull=True, status=IncidentStatus.OPEN).count()
        if user.is_admin and owner_id is None
        else 0
    )
    return rows, portfolio_header(figures, unassigned_incidents=unassigned)


def _position_row(
    position: Position,
    mark: Decimal | None = None,
    *,
    fee_pending: frozenset[int] = frozenset(),
    steps: Steps | None = None,
) -> dict[str, Any]:
    data = position_json(position, mark_price=mark)
    data["archived"] = position.archived_at is not None
    # One of its fills is booked with the fee of the trades the venue had listed so far
    # (orders.fee_pending): fees_usd is incomplete until recovery books the rest.
    data["fee_pending"] = position.pk in fee_pending
    # What the page shows, by the display rules (budget.shown_hold, shown_net): the page formats
    # these and never rounds, so the rows add up to the shown Reserved and realized PnL.
    data["display"] = {
        "size_usd": _two(budget_service.shown_hold(position.size_usd)),
        "net_realized_pnl_usd": _two(shown_net(position.realized_pnl_usd - position.fees_usd)),
        "fees_usd": _two(shown_net(position.fees_usd)),  # shown_fee_cents' rule
    }
    if position.status == PositionStatus.OPEN:
        # The close sheet's sentence, in the base asset at the lot step (egis.portfolio).
        data["display"]["close_text"] = close_sheet_text(
            position.side, position.qty, position.symbol, steps or Steps()
        )
    if position.status == PositionStatus.OPEN:
        data.setdefault("mark_price", None)
        data.setdefault("unrealized_pnl_usd", None)
        # Shown in whole cents by the one rule (`shown_unrealized`), so the rows add up to the
        # bot's Unrealized above them; the exact figure rides along.
        exact = data["unrealized_pnl_usd"]
        data["unrealized_pnl_exact_usd"] = exact
        if exact is not None:
            data["unrealized_pnl_usd"] = _two(shown_unrealized(Decimal(exact)))
    return data


def bot_detail(user: User, bot: Bot, *, page: int = 1) -> dict[str, Any]:
    b = budget_service.get_budget(bot)
    facts = _facts([bot])[bot.pk]
    summary = _summary(bot, b, facts, with_owner=user.is_admin)
    open_positions = list(
        Position.objects.filter(bot=bot, status=PositionStatus.OPEN).order_by("-id")
    )
    prices = mark_prices({p.symbol for p in open_positions})
    closed_qs = (
        Position.objects.filter(bot=bot, archived_at__isnull=True)
        .exclude(status=PositionStatus.OPEN)
        .order_by("-closed_at", "-id")
    )
    # The count without reading the history: the kept closed count plus the cancelled rows
    # (egis.portfolio.history), so the page costs the same after a year of closes.
    paginator = CountedPaginator(
        closed_qs, CLOSED_PAGE_SIZE, count=closed_list_count(bot.pk, facts.closed.closed_count)
    )
    current = paginator.get_page(page)
    if not bot.is_active:
        open_disabled = "This bot is inactive: activate it in the bot settings to open positions."
    elif bot.is_paused:
        open_disabled = paused_message(bot)
    elif bot.is_halted:
        open_disabled = "New opens are refused while the bot is halted."
    elif facts.risk_halt:
        open_disabled = facts.risk_halt
    else:
        open_disabled = ""
    # Fee-pending orders of the rows on screen only (the index on orders.position_id), never a
    # walk over every order of the bot.
    shown = [*open_positions, *current.object_list]
    pending = frozenset(
        Order.objects.filter(position_id__in=[p.pk for p in shown], fee_pending=True)
        .order_by()
        .values_list("position_id", flat=True)
    )
    steps = symbol_steps(bot)
    open_rows = [
        _position_row(p, prices.get(p.symbol), fee_pending=pending, steps=steps)
        for p in open_positions
    ]
    closed_rows = [_position_row(p, fee_pending=pending) for p in current.object_list]
    # Exits (issue 12): each open row's exits, each closed row's "Stop-loss at 171.30".
    rows_with_exits(open_rows + closed_rows, shown, tick=steps.price)
    status_label = "Halted" if bot.halted_reason else "Active" if bot.is_active else "Inactive"
    if bot.is_paused and status_label == "Active":
        status_label = "Paused"
    if facts.risk_halt and not bot.halted_reason and bot.is_active:
        status_label = "Halted today"
    return {
        "bot": {
            **summary,
            "leverage": bot.leverage,
            "status_label": status_label,
            "open_disabled_reason": open_disabled,
            # The symbol's price tick and quantity step (read once, with the close sentences').
            "price_tick": None if steps.price is None else plain(steps.price),
            "qty_step": None if steps.qty is None else plain(steps.qty),
        },
        "budget": _budget_json(b),
        "budget_trace": budget_service.explain(bot).steps if user.is_admin else None,
        "open_positions": open_rows,
        "closed": {
            "items": closed_rows,
            "page": current.number,
            "pages": paginator.num_pages,
            "total": paginator.count,
        },
        "archivable": ([_position_row(p) for p in closed_qs[:50]] if user.is_admin else []),
        "pnl_series": pnl_series(bot),
        "can_archive": user.is_admin,
        "paper_sync": bot.venue == Venue.PAPER,
        # Close all (egis.portfolio.stop): what the confirm sheet lists; admins only.
        "close_all_plan": [p.as_json() for p in close_all_plan(bot.pk, steps)]
        if user.is_admin
        else None,
        "close_all_text": CLOSE_ALL_TEXT,
    }
