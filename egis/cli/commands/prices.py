from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from egis.cli.commands.base import CliError, leaf
from egis.core.inputs import QTY_PLACES
from egis.core.money import DecimalInputError, parse_decimal, plain
from egis.venues.models import SymbolFilter
from egis.venues.prices.sources import get_price_source, price_set
from egis.venues.selectors import symbol_filters
from egis.venues.services import FILTER_FIELDS, symbol_filter_set


def _set(args: argparse.Namespace) -> dict[str, Any]:
    price = parse_decimal(args.price, field="price", max_places=QTY_PLACES)
    row = price_set(symbol=args.symbol, price=price, source=args.source)
    return {"symbol": row.symbol, "price": plain(row.price), "source": row.source}


def _show(args: argparse.Namespace) -> dict[str, Any]:
    source = get_price_source(args.source)
    symbol = args.symbol.upper()
    return {"symbol": symbol, "price": plain(source.price(symbol)), "source": source.name}


def _filter_json(row: SymbolFilter) -> dict[str, Any]:
    return {
        "venue_key": row.venue_key,
        "symbol": row.symbol,
        "step_size": plain(row.step_size),
        "min_qty": plain(row.min_qty),
        "min_notional": plain(row.min_notional),
        "tick_size": plain(row.tick_size),
    }


def _filters_list(args: argparse.Namespace) -> dict[str, Any]:
    rows = symbol_filters(args.venue_key)
    return {"filters": [_filter_json(r) for r in rows]}


def _filters_set(args: argparse.Namespace) -> dict[str, Any]:
    values: dict[str, Decimal] = {}
    for field in FILTER_FIELDS:
        raw = getattr(args, field)
        if raw is not None:
            try:
                values[field] = parse_decimal(
                    raw,
                    field=field,
                    max_places=QTY_PLACES,
                    allow_zero=field in ("min_qty", "min_notional"),
                )
            except DecimalInputError as exc:
                raise CliError(str(exc)) from exc
    row = symbol_filter_set(venue_key=args.venue_key, symbol=args.symbol.upper(), values=values)
    return _filter_json(row)


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("price", help="prices of the paper venue").add_subparsers(
        dest="action", required=True
    )
    set_cmd = leaf(group, "set", _set, "set a symbol's price (fixed source, or the simulated walk)")
    set_cmd.add_argument("symbol")
    set_cmd.add_argument("price")
    set_cmd.add_argument("--source", choices=["fixed", "simulated"], default=None)
    show = leaf(group, "show", _show, "show a symbol's current price")
    show.add_argument("symbol")
    show.add_argument("--source", choices=["fixed", "simulated", "binance"], default=None)

    filters = subparsers.add_parser("filters", help="symbol trading rules").add_subparsers(
        dest="action", required=True
    )
    list_cmd = leaf(filters, "list", _filters_list, "list symbol rules")
    list_cmd.add_argument("--venue-key", default="paper")
    edit = leaf(filters, "set", _filters_set, "edit or add a symbol's rules")
    edit.add_argument("symbol")
    edit.add_argument("--venue-key", default="paper")
    edit.add_argument("--step-size")
    edit.add_argument("--min-qty")
    edit.add_argument("--min-notional")
    edit.add_argument("--tick-size")
