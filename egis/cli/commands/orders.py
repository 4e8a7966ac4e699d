from __future__ import annotations

import argparse
from typing import Any

from egis.cli.commands.base import get_bot, id_arg, leaf
from egis.cli.commands.exits import add_exit_flags, changes_from_flags
from egis.ledger import budget
from egis.ledger.models import PositionStatus
from egis.ledger.pipeline import order_close, order_open
from egis.ledger.presenters import order_json, position_json
from egis.ledger.selectors import positions_of_bot
from egis.ledger.settle import OrderResult


def _result(result: OrderResult) -> dict[str, Any]:
    return {"order": order_json(result.order), "position": position_json(result.position)}


def _open(args: argparse.Namespace) -> dict[str, Any]:
    get_bot(args.bot_id)
    exits = changes_from_flags(args)  # --tp / --sl / --trail-pct (issue 12)
    return _result(
        order_open(bot_id=args.bot_id, side=args.side, size_usd=args.size_usd, exits=exits)
    )


def _close(args: argparse.Namespace) -> dict[str, Any]:
    get_bot(args.bot_id)
    return _result(order_close(bot_id=args.bot_id, position_id=args.position))


def _budget(args: argparse.Namespace) -> dict[str, Any]:
    bot = get_bot(args.bot_id)
    if args.debug:
        trace = budget.explain(bot)
        return {**trace.budget.as_json(), "trace": trace.as_json()}
    return budget.get_budget(bot).as_json()


def _positions(args: argparse.Namespace) -> dict[str, Any]:
    bot = get_bot(args.bot_id)
    rows = positions_of_bot(bot, status=args.status or None, include_archived=True)
    return {"bot_id": bot.pk, "positions": [position_json(p) for p in rows.order_by("id")]}


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("order", help="open and close positions").add_subparsers(
        dest="action", required=True
    )
    open_cmd = leaf(group, "open", _open, "open a position (intent: open)")
    open_cmd.add_argument("bot_id", type=id_arg("bot id"))
    open_cmd.add_argument("--side", required=True, choices=["long", "short"])
    open_cmd.add_argument("--size-usd", required=True, help="USD amount, e.g. 10.00")
    add_exit_flags(open_cmd)
    close_cmd = leaf(group, "close", _close, "close an open position (intent: close)")
    close_cmd.add_argument("bot_id", type=id_arg("bot id"))
    close_cmd.add_argument("--position", required=True, type=id_arg("--position"))

    budget_cmd = leaf(subparsers, "budget", _budget, "a bot's budget")
    budget_cmd.add_argument("bot_id", type=id_arg("bot id"))
    budget_cmd.add_argument("--debug", action="store_true", help="include the step-by-step trace")

    positions = leaf(subparsers, "positions", _positions, "a bot's positions")
    positions.add_argument("bot_id", type=id_arg("bot id"))
    positions.add_argument("--status", choices=[s.value for s in PositionStatus])
