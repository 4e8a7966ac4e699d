from __future__ import annotations

import argparse
from typing import Any

from egis.accounts.models import User
from egis.accounts.services import user_create
from egis.bots.models import Bot
from egis.bots.services import bot_create
from egis.cli.commands.base import leaf
from egis.signals.demo import DEMO_BOT_NAME
from egis.signals.hooks import hook_create

DEMO_ADMIN = ("admin", "egis-admin-demo")
DEMO_USER = ("trader", "egis-trader-demo")


def demo_seed() -> dict[str, Any]:
    """Create the demo admin, user and paper bot once; a second run changes nothing."""
    created = []
    for (name, password), role in ((DEMO_ADMIN, "admin"), (DEMO_USER, "user")):
        if not User.objects.filter(username=name).exists():
            user_create(username=name, role=role, password=password)
            created.append(name)
    trader = User.objects.get(username=DEMO_USER[0])
    bot = Bot.objects.filter(owner=trader, name="Demo BNB bot").first()
    if bot is None:
        bot = bot_create(
            owner=trader, name="Demo BNB bot", venue="paper", symbol="BNBUSDT", budget_usd="100.00"
        )
        created.append(f"bot #{bot.pk}")
    signals_bot = Bot.objects.filter(owner=trader, name=DEMO_BOT_NAME).first()
    if signals_bot is None:
        # A second bot that trades by itself: the worker's moving-average source posts to its
        # webhook over HTTP (egis.signals.demo), and its Signals card fills up.
        signals_bot = bot_create(
            owner=trader, name=DEMO_BOT_NAME, venue="paper", symbol="BNBUSDT", budget_usd="100.00"
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


def _demo(args: argparse.Namespace) -> dict[str, Any]:
    return demo_seed()


def register(subparsers: Any) -> None:
    leaf(subparsers, "demo", _demo, "create the demo admin, user, paper bot and signals bot (once)")
