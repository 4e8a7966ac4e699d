from __future__ import annotations

import argparse
from typing import Any

from egis.accounts.models import User
from egis.accounts.services import user_create
from egis.bots.models import Bot
from egis.bots.services import bot_create
from egis.cli.commands.base import leaf

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
    return {
        "created": created,
        "logins": [
            {"username": DEMO_ADMIN[0], "password": DEMO_ADMIN[1], "role": "admin"},
            {"username": DEMO_USER[0], "password": DEMO_USER[1], "role": "user"},
        ],
        "demo_bot_id": bot.pk,
    }


def _demo(args: argparse.Namespace) -> dict[str, Any]:
    return demo_seed()


def register(subparsers: Any) -> None:
    leaf(subparsers, "demo", _demo, "create the demo admin, user and paper bot (once)")
