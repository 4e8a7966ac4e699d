"""Reads of the ledger's incidents, shared by the pages, the API and the CLI."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count

from egis.ledger.models import Incident, IncidentStatus


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
