"""The demo data of `make run`: an admin, a trader, a paper bot and a paper bot that trades by
itself on signals, created once."""

from __future__ import annotations

from typing import Any

from egis.accounts.selectors import user_by_username
from egis.accounts.services import user_create
from egis.bots.selectors import live_bots
from egis.bots.services import bot_create
from egis.signals.demo import DEMO_BOT_NAME
from egis.signals.hooks import hook_create

DEMO_ADMIN = ("admin", "egis-admin-demo")
DEMO_USER = ("trader", "egis-trader-demo")


def demo_seed() -> dict[str, Any]:
    """Create the demo admin, user and paper bot once; a second run changes nothing."""
    created = []
    for (name, password), role in ((DEMO_ADMIN, "admin"), (DEMO_USER, "user")):
        if user_by_username(name) is None:
            user_create(username=name, role=role, password=password)
            created.append(name)
    trader = user_by_username(DEMO_USER[0])
    if trader is None:  # created just above: only a concurrent delete gets here
        raise RuntimeError(f"the demo user {DEMO_USER[0]!r} vanished while seeding")
    bot = live_bots().filter(owner=trader, name="Demo BNB bot").first()
    if bot is None:
        bot = bot_create(
            owner=trader,
            name="Demo BNB bot",
            venue="paper",
            symbol="BNBUSDT",
            budget_usd="100.00",
            actor_label="demo data",
        )
        created.append(f"bot #{bot.pk}")
    signals_bot = live_bots().filter(owner=trader, name=DEMO_BOT_NAME).first()
    if signals_bot is None:
        # A second bot that trades by itself: the worker's moving-average source posts to its
        # webhook over HTTP (egis.signals.demo), and its Signals card fills up.
        signals_bot = bot_create(
            owner=trader,
            name=DEMO_BOT_NAME,
            venue="paper",
            symbol="BNBUSDT",
            budget_usd="100.00",
            actor_label="demo data",
        )
        hook_create(bot_id=signals_bot.pk)
        created.append(f"bot #{signals_bot.pk}")
    return {
        "created": created,
        "logins": [
            {"username": DEMO_ADMIN[0], "password": DEMO_ADMIN[1], "role": "admin"},
            {"username": DEMO_USER[0], "password": DEMO_USER[1], "role": "user"},
        ],
        "demo_bot_id": bot.pk,
        "demo_signals_bot_id": signals_bot.pk,
    }
