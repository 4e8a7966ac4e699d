"""Helpers shared by the sub-command modules."""

from __future__ import annotations

import argparse
import getpass
from collections.abc import Callable
from functools import partial
from typing import Any

from egis.accounts.models import User
from egis.accounts.selectors import user_by_username
from egis.bots.locks import LIVE_BOT
from egis.bots.models import Bot
from egis.core.errors import UserFacingError
from egis.core.inputs import InputError, parse_id, parse_int, parse_leverage, parse_reason

# A handler returns what to print, or None when it wrote its own output (egis export).
Handler = Callable[[argparse.Namespace], dict[str, Any] | None]

# Exit codes (README, "Operator CLI"): 0 ok, 1 refused or bad input, 2 usage, 3 the venue did not
# book the order, 4 the database was busy or read-only before anything was sent (retry), 70 bug.
EXIT_DATABASE_BUSY = 4


def cli_actor_label() -> str:
    """Who an audit row names for a CLI change: there is no Egis login on the command line, so
    the operating-system user ("cli:alice")."""
    return f"cli:{getpass.getuser()}"


class CliError(UserFacingError):
    pass


class BadArgument:
    """A command-line value the input grammar refused. argparse would print its usage and exit 2
    on a bad `type=`; the command reports these instead, as one line with exit 1."""

    def __init__(self, error: InputError) -> None:
        self.error = error


def _grammar(parse: Callable[..., Any], name: str) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return parse(text, field=name)
        except InputError as exc:
            return BadArgument(exc)

    return convert


def id_arg(name: str) -> Callable[[str], Any]:
    """argparse `type=` for an id: ASCII digits, 1 .. 2**63-1 (egis.core.inputs.parse_id)."""
    return _grammar(parse_id, name)


def int_arg(name: str, *, minimum: int, maximum: int) -> Callable[[str], Any]:
    return _grammar(partial(parse_int, minimum=minimum, maximum=maximum), name)


def reason_arg(name: str = "--reason") -> Callable[[str], Any]:
    """A resolution reason: no control characters but line breaks, at most 2,000 characters."""
    return _grammar(parse_reason, name)


def leverage_arg(name: str = "--leverage") -> Callable[[str], Any]:
    return _grammar(parse_leverage, name)


def refuse_bad_arguments(args: argparse.Namespace) -> None:
    for value in vars(args).values():
        if isinstance(value, BadArgument):
            raise value.error


def leaf(subparsers: Any, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(name, help=help_text)
    parser.add_argument("--json", action="store_true", help="print exactly one JSON object")
    parser.set_defaults(handler=handler)
    return parser


def get_user(username: str) -> User:
    user = user_by_username(username)
    if user is None:
        raise CliError(f"no user named {username!r}")
    return user


def get_bot(bot_id: int) -> Bot:
    bot = LIVE_BOT.one(bot_id)
    if bot is None:
        raise CliError(f"bot #{bot_id} does not exist")
    return bot
