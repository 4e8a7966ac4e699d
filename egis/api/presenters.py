"""Rows to API dicts. Ledger rows go through egis.ledger.presenters; this adds bot views."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from egis.bots.models import Bot
from egis.bots.presenters import bot_json as base_bot_json
from egis.ledger import budget
from egis.ledger.models import (
    Incident,
    IncidentStatus,
    Position,
    PositionStatus,
)
from egis.venues.models import Price


def with_counts(qs: QuerySet[Bot]) -> QuerySet[Bot]:
    """One query for the list: open-position counts and open incidents come as annotations.

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


def bot_json(bot: Bot) -> dict[str, Any]:
    open_count = getattr(bot, "open_positions_count", None)
    if open_count is None:
        open_count = bot.positions.filter(status=PositionStatus.OPEN).count()
    incident = getattr(bot, "has_open_incident", None)
    if incident is None:
        incident = Incident.objects.filter(bot=bot, status=IncidentStatus.OPEN).exists()
    return {
        **base_bot_json(bot),
        "has_open_incident": bool(incident),
        "open_positions": int(open_count),
    }


def budget_json(bot: Bot) -> dict[str, Any]:
    return budget.get_budget(bot).as_json()


def stored_mark_price(symbol: str) -> Decimal | None:
    """The last stored price of the configured source; reads never call the network."""
    row = Price.objects.filter(source=settings.EGIS_PRICE_SOURCE, symbol=symbol).first()
    return row.price if row else None
