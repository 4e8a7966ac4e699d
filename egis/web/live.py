"""Live screens (issue 13): the props that let an open page follow the worker without a reload.

The pages refresh themselves with Inertia partial reloads on a timer (frontend/hooks/
use-live-reload.ts): the same GET, with headers that name the props to leave out (the render-once
ones: the open form's key, a just-created secret, flash messages, form errors). Props given here
as callables are evaluated only when a request includes them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from egis.bots.chart import bot_chart
from egis.bots.models import Bot
from egis.venues.prices.quotes import price_feeds
from egis.venues.selectors import price_ticks


def live_settings() -> dict[str, int]:
    return {
        "refresh_s": settings.EGIS_LIVE_REFRESH_SECONDS,
        "stale_after_s": settings.EGIS_PRICE_STALE_SECONDS,
    }


def bot_live_props(bot: Bot, *, lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The bot page's price feed (price, its timestamp and age) and price chart."""
    return {
        "price": lambda: price_feeds([bot.symbol])[bot.symbol],
        "chart": lambda: bot_chart(bot, lines=lines),
        "live": live_settings(),
    }


def dashboard_live_props(symbols: list[str]) -> dict[str, Any]:
    """The Bots list's price feeds, one per symbol (the cards look theirs up), and each symbol's
    price tick for the card's price line (read once per visit: a refresh leaves it out)."""
    return {
        "prices": lambda: price_feeds(symbols),
        "price_ticks": lambda: price_ticks(symbols),
        "live": live_settings(),
    }
