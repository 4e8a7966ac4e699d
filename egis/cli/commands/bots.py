from __future__ import annotations

import argparse
from typing import Any

from egis.bots.presenters import bot_json
from egis.bots.selectors import bots_with_counts, live_bots
from egis.bots.services import BotInputError, bot_create, bot_update
from egis.cli.commands.base import (
    CliError,
    cli_actor_label,
    get_bot,
    get_user,
    id_arg,
    leaf,
    leverage_arg,
)
from egis.cli.commands.cockpit import register_bot_actions
from egis.ledger import budget
from egis.venues.selectors import account_find


def _create(args: argparse.Namespace) -> dict[str, Any]:
    owner = get_user(args.owner)
    account = None
    if args.account is not None:
        account = account_find(args.account)
        if account is None:
            raise CliError(f"exchange account #{args.account} does not exist")
    try:
        bot = bot_create(
            owner=owner,
            name=args.name,
            venue=args.venue,
            symbol=args.symbol,
            budget_usd=args.budget,
            leverage=args.leverage,
            exchange_account=account,
            **_limits(args),
            actor_label=cli_actor_label(),
        )
    except BotInputError as exc:  # every field's problem, as the page shows them
        raise CliError("; ".join(str(one) for one in exc.each())) from exc
    return bot_json(bot)


# The risk limit flags: option -> the service's keyword. "off" turns a limit off (update).
_LIMIT_FLAGS = {
    "--max-open": "max_open_positions",
    "--max-order-usd": "max_order_usd",
    "--cooldown-s": "cooldown_s",
    "--daily-loss-usd": "daily_loss_limit_usd",
}
_LIMIT_HELP = {
    "--max-open": "risk limit: refuse opens while N positions are open",
    "--max-order-usd": "risk limit: the largest USD size of one open, e.g. 50.00",
    "--cooldown-s": "risk limit: seconds between opens (since the last open order was sent)",
    "--daily-loss-usd": "risk limit: halt opens for the rest of the UTC day after this realized "
    "loss (net of fees), e.g. 20.00",
}


def _limits(args: argparse.Namespace) -> dict[str, Any]:
    """The limits given on the command line, as raw text for the service's grammar; a flag not
    given is left out (unchanged on update, off on create), "off" is None (off)."""
    limits: dict[str, Any] = {}
    for flag, kw in _LIMIT_FLAGS.items():
        value = getattr(args, kw)
        if value == "":
            # An unset shell variable must not turn a limit off by accident: say "off".
            raise CliError(f"{flag} needs a value (or 'off' to turn the {kw} limit off)")
        if value is not None:
            limits[kw] = None if value == "off" else value
    return limits


def _add_limit_flags(parser: argparse.ArgumentParser, *, update: bool) -> None:
    for flag, kw in _LIMIT_FLAGS.items():
        tail = "; 'off' turns it off" if update else ""
        parser.add_argument(flag, dest=kw, default=None, help=_LIMIT_HELP[flag] + tail)


def _list(args: argparse.Namespace) -> dict[str, Any]:
    bots = list(bots_with_counts(live_bots()).order_by("id"))
    budgets = budget.get_budgets(bots)
    return {"bots": [{**bot_json(b), **budgets[b.pk].as_json()} for b in bots]}


def _update(args: argparse.Namespace) -> dict[str, Any]:
    bot = get_bot(args.bot_id)
    actor = get_user(args.actor) if args.actor else None
    updated = bot_update(
        bot=bot,
        name=bot.name if args.name is None else args.name,
        budget_usd=bot.initial_budget_usd if args.budget is None else args.budget,
        leverage=bot.leverage if args.leverage is None else args.leverage,
        is_active=bot.is_active if args.active is None else args.active,
        **_limits(args),
        actor=actor,
        actor_label=None if actor else cli_actor_label(),
    )
    return {**bot_json(updated), **budget.get_budget(updated).as_json()}


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
    _add_limit_flags(create, update=False)
    leaf(group, "list", _list, "list bots with their budgets")
    update = leaf(
        group, "update", _update, "change a bot's name, budget, leverage, activation or risk limits"
    )
    update.add_argument("bot_id", type=int)
    update.add_argument("--name", default=None)
    update.add_argument("--budget", default=None, help="new initial budget in USD, e.g. 50.00")
    update.add_argument("--leverage", type=int, default=None)
    activation = update.add_mutually_exclusive_group()
    activation.add_argument("--active", dest="active", action="store_true", default=None)
    activation.add_argument("--inactive", dest="active", action="store_false")
    update.add_argument("--actor", default=None, metavar="USERNAME", help="who changes it")
    _add_limit_flags(update, update=True)
    register_bot_actions(group)  # pause, resume, close-all (egis.cli.commands.cockpit)
