from __future__ import annotations

import argparse
from typing import Any

from egis.bots.models import Bot
from egis.bots.services import bot_create
from egis.cli.commands.base import CliError, get_user, leaf
from egis.core.money import usd_str
from egis.ledger import budget
from egis.venues.models import ExchangeAccount


def bot_json(bot: Bot) -> dict[str, Any]:
    return {
        "id": bot.pk,
        "name": bot.name,
        "owner": bot.owner.username,
        "venue": bot.venue,
        "symbol": bot.symbol,
        "leverage": bot.leverage,
        "exchange_account_id": bot.exchange_account_id,
        "initial_budget_usd": usd_str(bot.initial_budget_usd),
        "is_active": bot.is_active,
        "halted_reason": bot.halted_reason,
    }


def _create(args: argparse.Namespace) -> dict[str, Any]:
    owner = get_user(args.owner)
    account = None
    if args.account is not None:
        account = ExchangeAccount.objects.filter(pk=args.account).first()
        if account is None:
            raise CliError(f"exchange account #{args.account} does not exist")
    bot = bot_create(
        owner=owner,
        name=args.name,
        venue=args.venue,
        symbol=args.symbol,
        budget_usd=args.budget,
        leverage=args.leverage,
        exchange_account=account,
    )
    return bot_json(bot)


def _list(args: argparse.Namespace) -> dict[str, Any]:
    bots = Bot.objects.filter(deleted_at__isnull=True).select_related("owner").order_by("id")
    rows = []
    for bot in bots:
        rows.append({**bot_json(bot), **budget.get_budget(bot).as_json()})
    return {"bots": rows}


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("bot", help="manage bots").add_subparsers(
        dest="action", required=True
    )
    create = leaf(group, "create", _create, "create a bot")
    create.add_argument("--owner", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--venue", required=True, choices=["paper", "binance_futures"])
    create.add_argument("--symbol", required=True)
    create.add_argument("--budget", required=True, help="initial budget in USD, e.g. 100.00")
    create.add_argument("--leverage", type=int, default=1)
    create.add_argument("--account", type=int, default=None, help="exchange account id")
    leaf(group, "list", _list, "list bots with their budgets")
