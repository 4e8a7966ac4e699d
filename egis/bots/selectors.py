"""Reads for the pages: a bounded number of queries whatever the number of bots (no N+1).

Budget figures come only from egis.ledger.budget; everything else here is presentation: exact
decimal strings for the page to format. The PnL chart's reads are egis.bots.pnl_series (its
names stay importable from here). One bot's figures for the list row and the page header
(`_facts`, `_summary`, `mark_prices`) are egis.bots.summary.
"""

from __future__ import annotations

from decimal import Decimal
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
from egis.bots.locks import LIVE_BOT
from egis.bots.models import Bot
from egis.bots.pnl_series import PNL_POINTS as PNL_POINTS
from egis.bots.pnl_series import SHOWN_NET_CENTS_SQL as SHOWN_NET_CENTS_SQL
from egis.bots.pnl_series import pnl_series as pnl_series
from egis.bots.summary import _budget_json, _facts, _summary, _two, mark_prices
from egis.core.choices import Venue
from egis.core.money import plain
from egis.exits.presenters import rows_with_exits
from egis.ledger import budget as budget_service
from egis.ledger.models import (
    Incident,
    IncidentStatus,
    Order,
    Position,
    PositionStatus,
)
from egis.ledger.pnl import shown_net, shown_unrealized
from egis.ledger.presenters import position_json
from egis.portfolio.activity import Steps, symbol_steps
from egis.portfolio.fill_words import CLOSE_ALL_TEXT, close_sheet_text
from egis.portfolio.header import BotFigures, portfolio_header
from egis.portfolio.history import CountedPaginator, closed_list_count
from egis.portfolio.pause import paused_message
from egis.portfolio.stop import close_all_plan

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
    # Exits (issue 12): each open row's exits, each closed row's "Stop-loss (trigger $171.30)".
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
