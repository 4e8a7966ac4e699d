from __future__ import annotations

import argparse
from typing import Any

from egis.cli.commands.base import CliError, id_arg, leaf
from egis.core.inputs import InputError, parse_id
from egis.execution.lookup import order_lookup_and_settle
from egis.ledger.selectors import order_by_client_order_id, order_find
from egis.venues.base import VenueError
from egis.venues.binance.positions import sync_exchange_positions
from egis.venues.selectors import binance_accounts


def _sync(args: argparse.Namespace) -> dict[str, Any]:
    qs = binance_accounts(args.account)
    if args.account is not None and not qs.exists():
        raise CliError(f"exchange account #{args.account} does not exist")
    synced, failed = [], []
    for account in qs:
        try:
            synced.append(sync_exchange_positions(account).as_json())
        except VenueError as exc:
            failed.append(f"account #{account.pk}: {exc.message}")
    if failed:
        done = ", ".join(f"#{s['account_id']}" for s in synced) or "none"
        raise CliError(f"mirror sync failed for {'; '.join(failed)} (synced: {done})")
    return {"accounts": synced}


def _lookup(args: argparse.Namespace) -> dict[str, Any]:
    order = order_by_client_order_id(args.order)
    if order is None:
        try:
            order_id = parse_id(args.order, field="order")
        except InputError:
            order_id = None
        if order_id is not None:
            order = order_find(order_id)
    if order is None:
        raise CliError(f"no order {args.order!r} (give its id or client order id)")
    return order_lookup_and_settle(order.pk).as_json()


def register(subparsers: Any) -> None:
    sync = leaf(
        subparsers,
        "sync-exchange-positions",
        _sync,
        "refresh the exchange_positions mirror from Binance (never touches positions)",
    )
    sync.add_argument(
        "--account", type=id_arg("--account"), default=None, help="one account id (default: all)"
    )
    lookup = leaf(
        subparsers,
        "order-lookup",
        _lookup,
        "look an in-flight order up at its venue by client order id and settle it",
    )
    lookup.add_argument("order", help="order id or client order id")
