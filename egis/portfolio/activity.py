"""A bot's Activity tab: its orders, its `position_events` audit trail in words, its signals.
Each list is one page, newest first (by id: the indexes orders_by_bot and
position_events_by_bot walk it), with the page count; a page past the end shows the last one."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from egis.core.money import plain, usd_str
from egis.ledger.models import Order, PositionEvent
from egis.signals.selectors import signal_list

TABS = ("orders", "events", "signals")
PAGE_SIZE = 25

# What each event of the audit trail means, in words (egis.ledger.settle, pipeline, recovery,
# incident actions, archive). An action not listed here is shown by its name.
EVENT_WORDS = {
    "hold": "Hold: budget reserved for an open",
    "open_filled": "Open filled",
    "open_cancelled": "Open not filled: the hold was released",
    "hold_released": "Hold released: the venue has no such order",
    "closing": "Close sent (reduce-only)",
    "closed": "Closed",
    "partially_closed": "Partly closed",
    "close_unfilled": "Close not filled: the position stays open",
    "close_released": "Close released: the venue has no such order",
    "fee_completed": "Fee completed: the venue listed every fill",
    "closed_by_reconciliation": "Closed by an admin's reconciliation (no venue order)",
    "reconciliation_resolved": "Incident resolved",
    "already_settled": "Already settled: nothing changed",
    "archived": "Archived: hidden from the lists, the row stays",
}


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    page: int
    pages: int
    total: int

    def as_json(self) -> dict[str, Any]:
        return {"items": self.items, "page": self.page, "pages": self.pages, "total": self.total}


def _window(total: int, page: int, size: int) -> tuple[int, int, int]:
    pages = max(1, math.ceil(total / size))
    number = min(max(1, page), pages)
    return number, pages, (number - 1) * size


def _page(qs: QuerySet[Any], page: int, size: int) -> tuple[list[Any], int, int, int]:
    total = qs.count()
    number, pages, start = _window(total, page, size)
    return list(qs.order_by("-id")[start : start + size]), number, pages, total


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def order_row(o: Order) -> dict[str, Any]:
    return {
        "id": o.pk,
        "client_order_id": o.client_order_id,
        "position_id": o.position_id,
        "intent": o.intent,
        "side": o.side,
        "symbol": o.symbol,
        "status": o.status,
        "requested_qty": plain(o.requested_qty),
        "requested_usd": usd_str(o.requested_usd),
        "executed_qty": plain(o.executed_qty),
        "avg_price": plain(o.avg_price) if o.avg_price is not None else None,
        "cum_quote_usd": usd_str(o.cum_quote_usd),
        "fee_usd": usd_str(o.fee_usd),
        "venue_order_id": o.venue_order_id,
        "error": o.error,
        "created_at": _iso(o.created_at),
    }


def orders_page(bot_id: int, *, page: int = 1, size: int = PAGE_SIZE) -> Page:
    items, number, pages, total = _page(Order.objects.filter(bot_id=bot_id), page, size)
    return Page([order_row(o) for o in items], number, pages, total)


def event_row(e: PositionEvent) -> dict[str, Any]:
    return {
        "id": e.pk,
        "position_id": e.position_id,
        "order_id": e.order_id,
        "action": e.action,
        "words": EVENT_WORDS.get(e.action, e.action.replace("_", " ").capitalize()),
        "reason": e.reason,
        "actor": e.actor_label,
        "created_at": _iso(e.created_at),
    }


def events_page(bot_id: int, *, page: int = 1, size: int = PAGE_SIZE) -> Page:
    items, number, pages, total = _page(PositionEvent.objects.filter(bot_id=bot_id), page, size)
    return Page([event_row(e) for e in items], number, pages, total)


def signals_page(bot_id: int, *, page: int = 1, size: int = PAGE_SIZE) -> Page:
    _, total = signal_list(bot_id=bot_id, limit=0)
    number, pages, start = _window(total, page, size)
    items, total = signal_list(bot_id=bot_id, limit=size, offset=start)
    return Page(items, number, pages, total)


def activity(bot_id: int, *, tab: str, page: int = 1) -> dict[str, Any]:
    """The one list the tab shows (only that one is read), and the counts of the others."""
    readers = {"orders": orders_page, "events": events_page, "signals": signals_page}
    chosen = readers[tab](bot_id, page=page)
    return {"tab": tab, "tabs": list(TABS), "list": chosen.as_json()}
