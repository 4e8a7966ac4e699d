"""An order's inputs as every edge gives them (CLI strings, JSON values, form fields), read by the
one input grammar into the pipeline's types, or refused naming the field (InvalidOrderInput)."""

from __future__ import annotations

import re
import string
from decimal import Decimal

from egis.core.money import DecimalInputError, parse_decimal
from egis.ledger.errors import InvalidOrderInput
from egis.ledger.models import PositionSide

USD_MAX_PLACES = 2


def parse_side(side: object) -> str:
    if side is None or side == "":
        raise InvalidOrderInput("side is required for open: long or short", field="side")
    if side not in PositionSide.values:
        raise InvalidOrderInput(f"unknown side {str(side)[:20]!r}: use long or short", field="side")
    return str(side)


def parse_size_usd(size_usd: object) -> Decimal:
    try:
        return parse_decimal(size_usd, field="size_usd", max_places=USD_MAX_PLACES)
    except DecimalInputError as exc:
        raise InvalidOrderInput(str(exc), field="size_usd") from exc


def parse_position_id(position_id: object) -> int:
    if position_id is None or position_id == "":
        raise InvalidOrderInput("position_id is required for close", field="position_id")
    if isinstance(position_id, bool):
        raise InvalidOrderInput("position_id must be a whole number", field="position_id")
    try:
        value = int(str(position_id))
    except ValueError as exc:
        raise InvalidOrderInput("position_id must be a whole number", field="position_id") from exc
    if value <= 0:
        raise InvalidOrderInput("position_id must be a positive number", field="position_id")
    return value


_IDEMPOTENCY_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "-_")


def parse_idempotency_key(key: object) -> str | None:
    if key is None or key == "":
        return None
    if not isinstance(key, str) or len(key) > 64 or not set(key) <= _IDEMPOTENCY_KEY_CHARS:
        raise InvalidOrderInput(
            "idempotency_key must be up to 64 letters, digits, '-' or '_'",
            field="idempotency_key",
        )
    return key


# The keys Egis derives for its own orders: a signal's steps (egis.signals.signal_orders.signal_key,
# `sig<id>-...`) and a Close all's (egis.portfolio.stop, `close-all-...`). A key a person types
# must never take one: that person's order would be taken for the signal's own, and the signal's
# order never placed.
_SYSTEM_KEY = re.compile(r"^(sig[0-9]|close-all-)", re.IGNORECASE)


def parse_person_idempotency_key(key: object) -> str | None:
    """An idempotency key typed by a person (the Open form): the grammar above, and never one of
    the keys Egis derives for its own orders."""
    parsed = parse_idempotency_key(key)
    if parsed is not None and _SYSTEM_KEY.match(parsed):
        raise InvalidOrderInput(
            "idempotency_key must not start with 'sig' and a digit, or 'close-all-': Egis keys "
            "the orders of signals and of Close all so",
            field="idempotency_key",
        )
    return parsed
