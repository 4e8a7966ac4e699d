"""Figures as a person reads them, with their unit and their symbol's precision: USD as money
("$25.00"), quantities in the symbol's base asset at its lot step ("0.040 ETH"), prices at its
tick ("$2,934.56"). The pages show these strings as they are; they never round or add units.

A quantity finer than its step (a fill the rules would not allow, or rules changed since) is
shown whole, never rounded away; a price (an average fill price is often finer than the tick)
is rounded to its tick, half to even. Without known rules a figure is shown exactly.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from egis.core.money import plain, shown_size, usd_display

# USDⓈ-M symbols are quoted in one of these; what is left in front is the base asset.
QUOTE_ASSETS = ("USDT", "USDC", "BUSD", "USD")


def base_asset(symbol: str) -> str:
    """ "ETHUSDT" -> "ETH" (a symbol without a known quote asset is its own unit)."""
    for quote in QUOTE_ASSETS:
        if symbol.endswith(quote) and len(symbol) > len(quote):
            return symbol[: -len(quote)]
    return symbol


def places_of(step: Decimal | None) -> int | None:
    """Decimal places of a step or tick ("0.001" -> 3, "1" -> 0); None when unknown."""
    if step is None or step <= 0:
        return None
    exponent = step.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else None


def at_places(value: Decimal, places: int | None, *, grouped: bool = False) -> str:
    """`value` with `places` decimals when that loses nothing; its exact digits otherwise."""
    exact = plain(value)
    if places is None:
        return f"{value.normalize():,f}" if grouped and value != 0 else exact
    decimals = len(exact.split(".")[1]) if "." in exact else 0
    if decimals > places:
        return f"{value.normalize():,f}" if grouped else exact
    return f"{value:,.{places}f}" if grouped else f"{value:.{places}f}"


def usd_text(value: Decimal | None) -> str | None:
    """Money: "$25.00", "-$1.25", "$1,234.50" (2 decimals, half to even)."""
    return None if value is None else usd_display(value)


def size_text(value: Decimal | None) -> str | None:
    """A position's size or a fill's value: "$23.85", whole cents rounded *up* (`shown_size`),
    the one rule every screen uses for that amount (never half-even next to it)."""
    return None if value is None else usd_display(shown_size(value))


def qty_text(value: Decimal | None, *, symbol: str, step: Decimal | None = None) -> str | None:
    """A quantity in the base asset at the lot step: "0.040 ETH"."""
    if value is None:
        return None
    return f"{at_places(value, places_of(step))} {base_asset(symbol)}"


def price_text(value: Decimal | None, *, tick: Decimal | None) -> str | None:
    """A price in USD at the tick: "$2,934.56", "$0.5123"; without a tick (an average fill
    price may have more decimals than the tick), its exact digits and at least cents
    ("$588.60", never "$588.6")."""
    if value is None:
        return None
    places = places_of(tick)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    sign = "-" if value < 0 else ""
    return f"{sign}${at_places(abs(value), 2 if places is None else places, grouped=True)}"


def pct_text(value: Decimal | str | None, *, signed: bool = False) -> str | None:
    """A percentage: "2.51%", "+2.00%", "-16,061.72%" (grouped like the prices, the digits as
    given, no space before "%": one spelling on every screen, as the pages' `formatPct`)."""
    if value is None:
        return None
    number = Decimal(value)
    return f"{number:+,}%" if signed else f"{number:,}%"
