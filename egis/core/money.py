"""Decimal parsing and formatting shared by every edge (CLI, API, pages).

No arithmetic on balances happens here: budget math lives in egis.ledger.budget.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_HALF_EVEN, Decimal

from egis.core.inputs import QTY_MAX, USD_MAX, USD_PLACES, InputError, parse_amount

CENT = Decimal("0.01")


# One grammar for every edge: egis.core.inputs. The old name stays for the callers that use it.
DecimalInputError = InputError


def parse_decimal(
    raw: object, *, field: str, max_places: int = USD_PLACES, allow_zero: bool = False
) -> Decimal:
    """A user-supplied amount by the input grammar (egis.core.inputs): ASCII digits, at most
    `max_places` decimals, no sign or exponent, bounded (USD_MAX / QTY_MAX)."""
    maximum = USD_MAX if max_places <= USD_PLACES else QTY_MAX
    return parse_amount(raw, field=field, places=max_places, maximum=maximum, allow_zero=allow_zero)


def plain(value: Decimal) -> str:
    """Exact decimal string without exponent or trailing zeros ("0.003", "8.80368", "10")."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def usd_str(value: Decimal | None) -> str | None:
    """Exact USD amount as a string with at least two decimals ("10.00", "8.80368")."""
    if value is None:
        return None
    text = plain(value)
    if "." not in text:
        return text + ".00"
    whole, frac = text.split(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def shown_size(size_usd: Decimal) -> Decimal:
    """The one rounding rule for a shown position size and a fill's value (the same amount: a
    position's size is its opening fill's value): the whole cents it blocks, i.e. rounded *up* to
    the cent ($5.931 shows as $5.94). The budget's shown holds (egis.ledger.budget.shown_hold),
    the position card, the open flash, the quote, Activity's order value and the Close all sheet
    all read it, so one fill never shows two dollar values. CSV exports stay exact."""
    return size_usd.quantize(CENT, rounding=ROUND_CEILING)


def pnl_display(value: Decimal) -> str:
    """A profit or loss as the pages show it: "+$0.17", "-$0.52", "$0.00"."""
    shown = usd_display(value)
    return f"+{shown}" if value.quantize(CENT, rounding=ROUND_HALF_EVEN) > 0 else shown


def usd_display(value: Decimal, *, toward_zero: bool = False) -> str:
    """Human money: "$8.83", "-$1.25", "$0.00" (never "-$0.00" or "$-0.00").

    `toward_zero` truncates instead of rounding: an available budget of 9.996 shows as $9.99,
    never as an amount that could not actually be spent.
    """
    cents = value.quantize(CENT, rounding=ROUND_DOWN if toward_zero else ROUND_HALF_EVEN)
    if cents == 0:
        return "$0.00"
    sign = "-" if cents < 0 else ""
    return f"{sign}${abs(cents):,.2f}"
