"""A bot's Activity tab: its orders, its `position_events` audit trail in words, its signals.
Each list is one page, newest first (by id: the indexes orders_by_bot and
position_events_by_bot walk it), with the page count; a page past the end shows the last one."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from egis.accounts.actor_words import actor_words
from egis.accounts.models import User
from egis.bots.models import Bot
from egis.core.choices import Venue
from egis.core.figures import price_text, qty_text, size_text, usd_text
from egis.core.money import plain, usd_str
from egis.exits.models import ExitKind
from egis.ledger.models import Order, OrderIntent, PositionEvent
from egis.signals.selectors import signal_list
from egis.venues.binance.environments import venue_key_for
from egis.venues.models import SymbolFilter

TABS = ("orders", "events", "signals")
PAGE_SIZE = 25

# What each event of the audit trail means, in words (egis.ledger.settle, pipeline, recovery,
# incident actions, archive). An action not listed here is shown by its name.
EVENT_WORDS = {
    "hold": "Budget reserved for an open",
    "open_filled": "Open filled",
    "open_cancelled": "Open not filled: the budget reserved for it is free again",
    "hold_released": "Reserved budget freed: the venue has no such order",
    "closing": "Close sent",
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


@dataclass(frozen=True)
class Steps:
    """The bot's symbol's lot step and price tick (None each when its rules are unknown)."""

    qty: Decimal | None = None
    price: Decimal | None = None


def symbol_steps(bot: Bot) -> Steps:
    """The rules the bot's venue holds for its symbol (paper, or its Binance environment)."""
    if bot.venue == Venue.PAPER:
        key = "paper"
    elif bot.exchange_account is not None:
        key = venue_key_for(bot.exchange_account)
    else:
        return Steps()
    rule = SymbolFilter.objects.filter(venue_key=key, symbol=bot.symbol).first()
    return Steps() if rule is None else Steps(qty=rule.step_size, price=rule.tick_size)


def order_shown(o: Order, steps: Steps) -> dict[str, str | None]:
    """The order's figures as the list shows them, each with its unit at the symbol's
    precision: an open's request in USD, a close's in the base asset, the fill in the base
    asset at its average price, its value (by the position-size rule, `size_text`) and fee in
    USD."""
    by_usd = o.intent == OrderIntent.OPEN and o.requested_usd is not None
    filled = o.executed_qty > 0
    # A request in the fill's own unit is said only when the fill differs from it (UI.md).
    as_asked = not by_usd and o.executed_qty == o.requested_qty
    return {
        "requested": usd_text(o.requested_usd)
        if by_usd
        else None
        if as_asked
        else qty_text(o.requested_qty, step=steps.qty, symbol=o.symbol),
        "executed": qty_text(o.executed_qty, step=steps.qty, symbol=o.symbol),
        "price": price_text(o.avg_price, tick=steps.price) if filled else None,
        # A fill's value reads as the position it opened (`size_text`: the one rule).
        "value": size_text(o.cum_quote_usd) if filled else None,
        "fee": usd_text(o.fee_usd) if filled else None,
    }


def order_row(o: Order, steps: Steps | None = None) -> dict[str, Any]:
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
        # What the page shows (it adds no unit and rounds nothing).
        "shown": order_shown(o, steps or Steps()),
    }


def orders_page(bot: Bot, *, page: int = 1, size: int = PAGE_SIZE) -> Page:
    items, number, pages, total = _page(Order.objects.filter(bot_id=bot.pk), page, size)
    steps = symbol_steps(bot) if items else Steps()
    return Page([order_row(o, steps) for o in items], number, pages, total)


# An exit's event is headed by the exit it is about, from the row's snapshot (egis.exits.events
# exit_snapshot): a hand close cancels a take-profit and a stop-loss at once, and two rows both
# saying "Exit cancelled" did not tell which was which. The exit is named by its kind and its
# position's number, as the chart ("TP #7"), the position list ("#7") and its exits card name
# it: never by the exit row's own id, a second number for the same thing (a position has at
# most one live exit of each kind).
EXIT_EVENT_VERBS = {
    "exit_set": "set",
    "exit_cleared": "cleared",
    "exit_cancelled": "cancelled",
    "exit_resized": "resized",
    "exit_triggered": "triggered",
    "exit_trailed": "trailed",
    "exit_resting": "resting on the exchange",
    "exit_rearmed": "rests again",
    "exit_placed_again": "placed again",
    "exit_failed": "failed",
    "exit_expired": "expired",
}


def event_words(action: str, after: object, position_id: int | None = None) -> str:
    """ "Take-profit of position #7 cancelled" for an exit's event; the action's words
    otherwise."""
    verb = EXIT_EVENT_VERBS.get(action)
    if verb is not None and isinstance(after, dict) and after.get("exit_id"):
        kind = after.get("kind")
        label = ExitKind(kind).label if kind in ExitKind.values else "Exit"
        return f"{label} of position #{position_id} {verb}" if position_id else f"{label} {verb}"
    return EVENT_WORDS.get(action, action.replace("_", " ").capitalize())


def event_row(e: PositionEvent, *, viewer: User, owner_id: int) -> dict[str, Any]:
    return {
        "id": e.pk,
        "position_id": e.position_id,
        "order_id": e.order_id,
        "action": e.action,
        "words": event_words(e.action, e.after, e.position_id),
        "reason": e.reason,
        "actor": actor_words(e.actor_id, e.actor_label, viewer=viewer, owner_id=owner_id),
        "created_at": _iso(e.created_at),
    }


def events_page(bot: Bot, *, viewer: User, page: int = 1, size: int = PAGE_SIZE) -> Page:
    """Who acted is said in the viewer's terms (a trader never reads another user's name)."""
    items, number, pages, total = _page(PositionEvent.objects.filter(bot_id=bot.pk), page, size)
    rows = [event_row(e, viewer=viewer, owner_id=bot.owner_id) for e in items]
    return Page(rows, number, pages, total)


def signals_page(bot: Bot, *, page: int = 1, size: int = PAGE_SIZE) -> Page:
    _, total = signal_list(bot_id=bot.pk, limit=0)
    number, pages, start = _window(total, page, size)
    items, total = signal_list(bot_id=bot.pk, limit=size, offset=start)
    return Page(items, number, pages, total)


def activity(bot: Bot, *, tab: str, viewer: User, page: int = 1) -> dict[str, Any]:
    """The one list the tab shows (only that one is read), and the counts of the others."""
    if tab == "events":
        chosen = events_page(bot, viewer=viewer, page=page)
    else:
        chosen = {"orders": orders_page, "signals": signals_page}[tab](bot, page=page)
    return {"tab": tab, "tabs": list(TABS), "list": chosen.as_json()}
