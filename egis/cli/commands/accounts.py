from __future__ import annotations

import argparse
import sys
from typing import Any

from egis.cli.commands.base import CliError, get_user, leaf
from egis.venues.accounts import account_create, account_json, accounts_visible_to


def _read_secret(raw: str) -> str:
    # `--api-secret -` reads it from stdin, so it stays out of shell history and `ps`.
    if raw != "-":
        return raw
    line = sys.stdin.readline().strip()
    if not line:
        raise CliError("no API secret on stdin")
    return line


def _create(args: argparse.Namespace) -> dict[str, Any]:
    account = account_create(
        owner=get_user(args.owner),
        venue=args.venue,
        environment=args.env,
        api_key=args.api_key,
        api_secret=_read_secret(args.api_secret),
        base_url=args.base_url or "",
        label=args.label or "",
        is_production=args.production,
    )
    return account_json(account)


def _list(args: argparse.Namespace) -> dict[str, Any]:
    owner = get_user(args.owner) if args.owner else None
    qs = accounts_visible_to(None)
    if owner is not None:
        qs = qs.filter(owner=owner)
    return {"accounts": [account_json(a) for a in qs]}


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("account", help="exchange accounts (Binance)").add_subparsers(
        dest="action", required=True
    )
    create = leaf(group, "create", _create, "add a Binance futures account (secret encrypted)")
    create.add_argument("--owner", required=True)
    create.add_argument("--venue", required=True, choices=["binance_futures"])
    create.add_argument("--env", default="demo", choices=["demo", "testnet", "production"])
    create.add_argument("--api-key", required=True)
    create.add_argument(
        "--api-secret", required=True, help="the secret, or - to read it from stdin"
    )
    create.add_argument("--base-url", default=None, help="override, e.g. a local simulator")
    create.add_argument("--label", default=None)
    create.add_argument(
        "--production",
        action="store_true",
        help="mark the account as real money (also needs EGIS_ALLOW_PRODUCTION=1)",
    )
    listing = leaf(group, "list", _list, "list exchange accounts (secrets masked)")
    listing.add_argument("--owner", default=None)
