"""Pure order-size arithmetic on a symbol's rules: rounding down to the step, checking minimums."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from egis.core.money import plain
from egis.venues.base import SymbolRules


class OrderSizeInvalid(ValueError):
    """The order is outside the symbol's quantity or notional limits after rounding."""


def floor_to_step(qty: Decimal, step: Decimal) -> Decimal:
    """Largest multiple of `step` not above `qty` (never rounds up: never spends more)."""
    units = (qty / step).to_integral_value(rounding=ROUND_FLOOR)
    return (units * step).quantize(step)


def round_to_tick(price: Decimal, tick: Decimal, *, up: bool) -> Decimal:
    units = (price / tick).to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return (units * tick).quantize(tick)


def market_qty_for_usd(
    size_usd: Decimal, price: Decimal, rules: SymbolRules, *, buffer: Decimal = Decimal(0)
) -> Decimal:
    """Quantity to send for `size_usd` at `price`, rounded down to the step and checked.

    `buffer` widens the price for sizing so that a fill worse than the reference still stays
    within the requested amount.
    """
    sizing_price = price * (1 + buffer)
    qty = floor_to_step(size_usd / sizing_price, rules.step_size)
    check_market_qty(qty, price, rules, requested_usd=size_usd)
    return qty


def check_market_qty(
    qty: Decimal, price: Decimal, rules: SymbolRules, *, requested_usd: Decimal | None = None
) -> None:
    asked = f" for ${plain(requested_usd)}" if requested_usd is not None else ""
    if qty < rules.min_qty or qty <= 0:
        raise OrderSizeInvalid(
            f"Order too small: {plain(qty)} {rules.symbol}{asked} at {plain(price)} is below the "
            f"minimum quantity {plain(rules.min_qty)} (step {plain(rules.step_size)})."
        )
    if qty * price < rules.min_notional:
        raise OrderSizeInvalid(
            f"Order too small: {plain(qty)} {rules.symbol}{asked} is worth "
            f"${plain(qty * price)}, below the minimum notional ${plain(rules.min_notional)}."
        )
    if rules.max_qty is not None and qty > rules.max_qty:
        raise OrderSizeInvalid(
            f"Order too large: {plain(qty)} {rules.symbol} is above the maximum quantity "
            f"{plain(rules.max_qty)}."
        )
