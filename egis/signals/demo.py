"""The demo's built-in signal source: a moving-average cross on the simulated feed, posted to the
demo signals bot's own webhook over HTTP, exactly like an outside sender (TradingView).

It runs in the worker (egis.signals.tasks) only when `EGIS_DEMO_SIGNALS_URL` names the web
process (`make run` sets it). Each run samples the bot's price every `EGIS_PRICE_TICK_SECONDS`
for about a minute, keeps the last samples in the cache, and when the fast average crosses the
slow one, posts `{"target": "long"|"short", "prev": ...}`: the bot flips through its Signals.
Each open carries a 1 % take-profit and a 1 % stop-loss (egis.exits), so a newcomer also sees a
position close by itself, with the reason on its row; `prev` is then what the ledger holds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import httpx
from django.conf import settings
from django.core.cache import cache

from egis.bots.models import Bot
from egis.ledger.models import Position, PositionStatus
from egis.signals.models import SignalHook
from egis.venues.prices.sources import PriceUnavailable, get_price_source
from egis.venues.secrets import decrypt_secret

logger = logging.getLogger("egis.signals.demo")

DEMO_BOT_NAME = "Demo signals bot"
FAST, SLOW = 3, 8
SIZE_USD = "20"
EXIT_PCT = "1%"  # the demo opens' take-profit and stop-loss
_SAMPLES_KEY = "egis:demo-signals:samples"
_TARGET_KEY = "egis:demo-signals:target"


def ma_cross(prices: list[Decimal], *, fast: int = FAST, slow: int = SLOW) -> str | None:
    """`long` while the fast average is above the slow one, `short` below; None until there
    are enough samples or while they are equal. Pure, exact."""
    if len(prices) < slow:
        return None
    fast_avg = sum(prices[-fast:], Decimal(0)) / fast
    slow_avg = sum(prices[-slow:], Decimal(0)) / slow
    if fast_avg == slow_avg:
        return None
    return "long" if fast_avg > slow_avg else "short"


def demo_bot() -> Bot | None:
    return Bot.objects.filter(name=DEMO_BOT_NAME, deleted_at__isnull=True).order_by("id").first()


def _post(url: str, body: dict[str, str]) -> int:
    try:
        return httpx.post(url, json=body, timeout=3).status_code
    except httpx.HTTPError as exc:
        logger.warning("demo signal not delivered: %s", type(exc).__name__)
        return 0


def demo_signals_step(
    *, base_url: str, price: Decimal, post: Callable[[str, dict[str, str]], int] = _post
) -> str | None:
    """Take one price sample; on a cross, post the new target. Returns the target posted."""
    bot = demo_bot()
    hook = SignalHook.objects.filter(bot=bot, revoked_at__isnull=True, enabled=True).first()
    if bot is None or hook is None:
        return None
    samples = [Decimal(p) for p in cache.get(_SAMPLES_KEY, [])][-(SLOW * 2) :]
    samples.append(price)
    cache.set(_SAMPLES_KEY, [str(p) for p in samples], 3600)
    target = ma_cross(samples)
    previous = cache.get(_TARGET_KEY) or "flat"
    if target is None or target == previous:
        return None
    # An exit may have closed the position since the last signal: say what the bot holds.
    held = set(
        Position.objects.filter(bot=bot, status=PositionStatus.OPEN).values_list("side", flat=True)
    )
    believed = held.pop() if len(held) == 1 else "flat"
    now = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = {
        "secret": decrypt_secret(hook.secret_encrypted),
        "target": target,
        "prev": believed,
        "take_profit": EXIT_PCT,
        "stop_loss": EXIT_PCT,
        "size_usd": SIZE_USD,
        "id": f"demo-ma-{target}-{now}",
        "timestamp": now,
        "symbol": f"DEMO:{bot.symbol}",
    }
    status = post(f"{base_url.rstrip('/')}/hooks/{hook.hook_id}", body)
    if status in (200, 202):
        cache.set(_TARGET_KEY, target, None)
        return target
    return None


def demo_signals_run() -> None:
    """About a minute of sampling (Huey's smallest period), then the next run continues."""
    base_url = settings.EGIS_DEMO_SIGNALS_URL
    bot = demo_bot()
    if not base_url or bot is None:
        return
    steps = max(1, 55 // max(1, settings.EGIS_PRICE_TICK_SECONDS))
    for index in range(steps):
        try:
            price = get_price_source().price(bot.symbol)
        except PriceUnavailable:
            return
        demo_signals_step(base_url=base_url, price=price)
        if index < steps - 1:
            time.sleep(settings.EGIS_PRICE_TICK_SECONDS)
