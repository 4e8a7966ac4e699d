from __future__ import annotations

import argparse
from typing import Any

from egis.bots.models import Bot
from egis.bots.presenters import bot_json
from egis.bots.services import bot_create
from egis.cli.commands.base import CliError, get_user, id_arg, leaf, leverage_arg
from egis.ledger import budget
from egis.venues.models import ExchangeAccount


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
    bots = list(Bot.objects.filter(deleted_at__isnull=True).select_related("owner").order_by("id"))
    budgets = budget.get_budgets(bots)
    return {"bots": [{**bot_json(b), **budgets[b.pk].as_json()} for b in bots]}


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
    create.add_argument("--leverage", type=leverage_arg(), default=1)
    create.add_argument(
        "--account", type=id_arg("--account"), default=None, help="exchange account id"
    )
    leaf(group, "list", _list, "list bots with their budgets")
