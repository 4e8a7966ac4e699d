"""Helpers shared by the sub-command modules."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from egis.accounts.models import User
from egis.bots.models import Bot
from egis.core.errors import UserFacingError

Handler = Callable[[argparse.Namespace], dict[str, Any]]

# Exit codes (README, "Operator CLI"): 0 ok, 1 refused or bad input, 2 usage, 3 the venue did not
# book the order, 4 the database was busy or read-only before anything was sent (retry), 70 bug.
EXIT_DATABASE_BUSY = 4


class CliError(UserFacingError):
    pass


def leaf(subparsers: Any, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(name, help=help_text)
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
    parser.set_defaults(handler=handler)
    return parser


def get_user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CliError(f"no user named {username!r}")
    return user


def get_bot(bot_id: int) -> Bot:
    bot = Bot.objects.filter(pk=bot_id, deleted_at__isnull=True).first()
    if bot is None:
        raise CliError(f"bot #{bot_id} does not exist")
    return bot
