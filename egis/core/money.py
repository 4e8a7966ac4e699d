"""Decimal parsing and formatting shared by every edge (CLI, API, pages).

No arithmetic on balances happens here: budget math lives in egis.ledger.budget.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal, InvalidOperation

from egis.core.errors import UserFacingError

CENT = Decimal("0.01")


class DecimalInputError(UserFacingError, ValueError):
    """A user-supplied number that Egis refuses to interpret."""


def parse_decimal(
    raw: object, *, field: str, max_places: int | None = None, allow_zero: bool = False
) -> Decimal:
    """Parse a user-supplied decimal: finite, positive (or zero), at most `max_places` decimals."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        raise DecimalInputError(f"{field} is required")
    if isinstance(raw, (bool, float)):
        raise DecimalInputError(f"{field} must be a decimal string, not a float")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError) as exc:
        raise DecimalInputError(f"{field} must be a decimal number, got {str(raw)[:40]!r}") from exc
    if not value.is_finite():
        raise DecimalInputError(f"{field} must be a finite number")
    if value < 0 or (value == 0 and not allow_zero):
        raise DecimalInputError(f"{field} must be greater than zero")
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    if max_places is not None and -exponent > max_places:
        raise DecimalInputError(f"{field} has more than {max_places} decimal places")
    return value


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
