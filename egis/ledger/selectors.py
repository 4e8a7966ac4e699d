"""Reads of the ledger (positions, orders, incidents), shared by the pages, the API and the CLI."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from egis.accounts.models import User
from egis.bots.models import Bot
from egis.ledger.models import Incident, IncidentStatus, Order, Position


@dataclass(frozen=True)
class IncidentPage:
    items: list[Incident]
    page: int
    pages: int
    total: int
    page_size: int


def incident_page(
    *,
    status: str | None = IncidentStatus.OPEN,
    bot_id: int | None = None,
    kind: str = "",
    page: int = 1,
    page_size: int = 50,
) -> IncidentPage:
    """One page, newest first; resolved incidents by when they were resolved. A page past the
    end shows the last one."""
    qs = Incident.objects.select_related("bot", "order", "resolved_by")
    if status:
        qs = qs.filter(status=status)
    if bot_id is not None:
        qs = qs.filter(bot_id=bot_id)
    if kind:
        qs = qs.filter(kind=kind)
    total = qs.count()
    pages = max(1, math.ceil(total / page_size))
    number = min(max(1, page), pages)
    order = ("-resolved_at", "-id") if status == IncidentStatus.RESOLVED else ("-id",)
    start = (number - 1) * page_size
    items = list(qs.order_by(*order)[start : start + page_size])
    return IncidentPage(items=items, page=number, pages=pages, total=total, page_size=page_size)


def incident_list(
    *, status: str | None = IncidentStatus.OPEN, bot_id: int | None = None, kind: str = ""
) -> list[Incident]:
    qs = Incident.objects.select_related("bot", "order", "resolved_by").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    if bot_id is not None:
        qs = qs.filter(bot_id=bot_id)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs)


def incident_find(incident_id: int) -> Incident | None:
    return (
        Incident.objects.select_related("bot", "order", "resolved_by")
        .filter(pk=incident_id)
        .first()
    )


def incident_counts() -> dict[str, int]:
    counts = dict(Incident.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in IncidentStatus.values}


def open_incident_count() -> int:
    return Incident.objects.filter(status=IncidentStatus.OPEN).count()


def positions_of_bot(
    bot: Bot, *, status: str | None = None, include_archived: bool = False
) -> QuerySet[Position]:
    qs = Position.objects.filter(bot=bot)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    if status is not None:
        qs = qs.filter(status=status)
    return qs


def position_of_bot(bot: Bot, position_id: int) -> Position | None:
    return Position.objects.filter(pk=position_id, bot=bot).first()


def order_by_client_order_id(client_order_id: str, *, owner: User | None = None) -> Order | None:
    """One order by its client order id; with `owner`, only if that person owns its bot."""
    qs = Order.objects.select_related("position", "bot").filter(client_order_id=client_order_id)
    if owner is not None:
        qs = qs.filter(bot__owner=owner)
    return qs.first()


def order_find(order_id: int) -> Order | None:
    return Order.objects.select_related("position", "bot").filter(pk=order_id).first()


def open_incident_of_bot(bot_id: int, *, kind: str) -> Incident | None:
    """The oldest open incident of one kind naming this bot, if any."""
    return (
        Incident.objects.filter(bot_id=bot_id, kind=kind, status=IncidentStatus.OPEN)
        .order_by("id")
        .first()
    )
