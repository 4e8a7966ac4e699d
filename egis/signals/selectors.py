"""Reads for signals: a bot's signals with the orders they caused, its webhook, the Bots list's
"last acted on a signal". No N+1: the orders of a page of signals come in one query."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery

from egis.bots.models import Bot
from egis.ledger.models import Order
from egis.signals.models import Signal, SignalHook, SignalStatus
from egis.signals.payload import action_from_json
from egis.signals.reason_words import signal_reason
from egis.signals.template import bot_tradingview_template

_KEY = re.compile(r"sig(\d+)-")


def hook_url(hook_id: str, base_url: str = "") -> str:
    base = settings.EGIS_PUBLIC_URL or base_url.rstrip("/")
    return f"{base}/hooks/{hook_id}"


def hook_reach_note(url: str, *, admin: bool = False) -> str:
    """Why TradingView could not call this webhook URL, or "" when it could: TradingView calls
    only public addresses, on port 80 or 443 (its webhook documentation). In a trader's words;
    an admin (and the CLI, `admin=True`) also gets the setting that fixes it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        address = ipaddress.ip_address(host)
        private = not address.is_global
    except ValueError:
        private = host == "localhost" or host.endswith(".localhost") or "." not in host
    fix = (
        "Until Egis has a public https address, alerts from TradingView never arrive: ask "
        "your Egis admin to set one up."
    )
    if admin:
        fix += " Admin: set EGIS_PUBLIC_URL to this Egis's public https address."
    if private:
        where = host or "this address"
        return (
            f"TradingView cannot reach {where}: it sends alerts only to addresses on the "
            f"public internet. {fix}"
        )
    try:
        port = parts.port
    except ValueError:
        port = None
    if port not in (None, 80, 443):
        return f"TradingView sends alerts only to ports 80 and 443, not {port}. {fix}"
    return ""


def live_hook(bot_id: int) -> SignalHook | None:
    return SignalHook.objects.filter(bot_id=bot_id, revoked_at__isnull=True).first()


def _orders_by_signal(bot_id: int, signal_ids: list[int]) -> dict[int, list[Order]]:
    if not signal_ids:
        return {}
    match = Q()
    for sid in signal_ids:
        match |= Q(idempotency_key__startswith=f"sig{sid}-")
    found: dict[int, list[Order]] = {}
    for order in Order.objects.filter(Q(bot_id=bot_id) & match).order_by("id"):
        key = _KEY.match(order.idempotency_key or "")
        if key:
            found.setdefault(int(key.group(1)), []).append(order)
    return found


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def signal_json(signal: Signal, orders: list[Order]) -> dict[str, Any]:
    summary = action_from_json(signal.action).summary() if signal.action else ""
    reason = signal_reason(signal)
    return {
        "id": signal.pk,
        "bot_id": signal.bot_id,
        "received_at": _iso(signal.received_at),
        "processed_at": _iso(signal.processed_at),
        "sender_id": signal.sender_id,
        "action": summary,
        "status": signal.status,
        # In a trader's words, with the stored reason's machine code beside it (egis.signals
        # .reason_words); the row keeps its stored form.
        "reason": reason.words,
        "code": reason.code,
        "client_order_ids": [o.client_order_id for o in orders],
        "orders": [
            {
                "client_order_id": o.client_order_id,
                "intent": o.intent,
                "status": o.status,
                "position_id": o.position_id,
            }
            for o in orders
        ],
    }


def signal_list(
    *, bot_id: int, status: str | None = None, limit: int = 20, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """A page of a bot's signals, newest first, each with the orders it caused; and the total."""
    rows = Signal.objects.filter(bot_id=bot_id)
    if status:
        rows = rows.filter(status=status)
    total = rows.count()
    page = list(rows.order_by("-id")[offset : offset + limit])
    orders = _orders_by_signal(bot_id, [s.pk for s in page])
    return [signal_json(s, orders.get(s.pk, [])) for s in page], total


def last_signal_acted(bot_ids: list[int]) -> dict[int, str]:
    """When each bot last executed a signal (ISO time), for the Bots list: per bot its newest
    executed signal's processed_at, one seek of the index signals_acted_by_bot (bot, status,
    processed_at) each, so a bot's years of signals do not slow the list (a MAX over the
    bot's executed signals visited every one of them)."""
    newest = (
        Signal.objects.filter(
            bot=OuterRef("pk"), status=SignalStatus.EXECUTED, processed_at__isnull=False
        )
        .order_by("-processed_at")
        .values("processed_at")[:1]
    )
    rows = (
        Bot.objects.filter(pk__in=bot_ids)
        .annotate(last=Subquery(newest))
        .order_by()
        .values_list("pk", "last")
    )
    return {pk: last.isoformat() for pk, last in rows if last}


def _hook_card(hook: SignalHook, base_url: str, admin: bool) -> dict[str, Any]:
    url = hook_url(hook.hook_id, base_url)
    refused = None
    if hook.refused_count:
        refused = {
            "count": hook.refused_count,
            "last_at": _iso(hook.last_refused_at),
            "last_reason": hook.last_refused_reason,
        }
    return {
        "url": url,
        "reach_note": hook_reach_note(url, admin=admin),
        "refused": refused,
        "enabled": hook.enabled,
        "created_at": _iso(hook.created_at),
    }


def signals_card(
    bot: Bot, *, base_url: str = "", limit: int = 10, admin: bool = False
) -> dict[str, Any]:
    """The bot page's Signals card: the webhook (never its secret), the TradingView message with
    a size this bot's venue accepts (egis.signals.template), and the last signals."""
    hook = live_hook(bot.pk)
    recent, total = signal_list(bot_id=bot.pk, limit=limit)
    return {
        "hook": None if hook is None else _hook_card(hook, base_url, admin),
        "template": bot_tradingview_template(bot),
        "signals": recent,
        "total": total,
    }
