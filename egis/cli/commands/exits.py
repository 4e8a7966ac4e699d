"""`egis exits`: a bot's exits, set or clear them on a position, run one paper evaluation.

egis exits BOT_ID [--json]
egis exits set BOT_ID --position P [--tp X|X%] [--sl Y|Y%] [--trail-pct Z [--trail-activation A]]
egis exits clear BOT_ID --position P [--kind tp|sl|trail ...]
egis exits check
"""

from __future__ import annotations

import argparse
from typing import Any

from egis.cli.commands.base import CliError, get_bot, id_arg, leaf
from egis.core.inputs import parse_id
from egis.exits.paper_engine import exits_check
from egis.exits.presenters import bot_exits_json, exit_json
from egis.exits.rules import ExitChanges, parse_changes
from egis.exits.services import exits_clear, exits_set

KIND_FLAGS = {"tp": "take_profit", "sl": "stop_loss", "trail": "trailing_stop"}
USAGE = "use: egis exits BOT_ID | set BOT_ID --position P ... | clear BOT_ID --position P | check"


def changes_from_flags(args: argparse.Namespace) -> ExitChanges:
    """--tp / --sl ("3000" or "1.5%"), --trail-pct and --trail-activation as exit changes."""
    trailing: object = None
    if args.trail_pct is not None:
        trailing = {"callback_pct": args.trail_pct, "activation_price": args.trail_activation}
    elif args.trail_activation is not None:
        raise CliError("--trail-activation needs --trail-pct")
    return parse_changes(take_profit=args.tp, stop_loss=args.sl, trailing_stop=trailing)


def add_exit_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--tp", help='take-profit: a price ("3000") or percent from entry ("2%%")')
    parser.add_argument("--sl", help='stop-loss: a price ("2800") or percent from entry ("1%%")')
    parser.add_argument("--trail-pct", help="trailing stop: callback in percent (0.1 .. 10)")
    parser.add_argument("--trail-activation", help="trailing stop: price that starts it")


def _bot_id(words: list[str], index: int) -> int:
    if len(words) <= index:
        raise CliError(USAGE)
    return parse_id(words[index], field="bot id")


def _position(args: argparse.Namespace) -> int:
    if args.position is None:
        raise CliError("--position is required")
    position: int = args.position
    return position


def _exits(args: argparse.Namespace) -> dict[str, Any]:
    words: list[str] = args.words
    action = words[0]
    if action == "check":
        if len(words) > 1:
            raise CliError(USAGE)
        return exits_check().as_json()
    if action in ("set", "clear"):
        if len(words) > 2:
            raise CliError(USAGE)
        bot = get_bot(_bot_id(words, 1))
        position = _position(args)
        if action == "set":
            changes = changes_from_flags(args)
            if not changes:
                raise CliError("give at least one of --tp, --sl, --trail-pct")
            live = exits_set(bot_id=bot.pk, position_id=position, changes=changes)
        else:
            kinds = [KIND_FLAGS[k] for k in args.kind] if args.kind else None
            live = exits_clear(bot_id=bot.pk, position_id=position, kinds=kinds)
        return {"bot_id": bot.pk, "position_id": position, "exits": [exit_json(e) for e in live]}
    if len(words) > 1:
        raise CliError(USAGE)
    bot = get_bot(_bot_id(words, 0))
    return bot_exits_json(bot.pk, bot.symbol)


def register(subparsers: Any) -> None:
    cmd = leaf(subparsers, "exits", _exits, "take-profit, stop-loss and trailing stops")
    cmd.add_argument("words", nargs="+", metavar="BOT_ID | set BOT_ID | clear BOT_ID | check")
    cmd.add_argument("--position", type=id_arg("--position"))
    add_exit_flags(cmd)
    cmd.add_argument("--kind", action="append", choices=sorted(KIND_FLAGS), help="clear only")
