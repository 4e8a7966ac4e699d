"""Pure order-size arithmetic on a symbol's rules: rounding down to the step, checking minimums."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from egis.core.figures import price_text, qty_text
from egis.core.money import CENT, usd_display
from egis.venues.base import SymbolRules


class OrderSizeInvalid(ValueError):
    """The order is outside the symbol's quantity or notional limits after rounding.

    `smallest_usd`: for an order too small, the smallest amount that opens at this price (the
    message names it too); None for an order too large."""

    def __init__(self, message: str, *, smallest_usd: Decimal | None = None) -> None:
        super().__init__(message)
        self.smallest_usd = smallest_usd


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
    qty = floor_to_step(size_usd / sizing_price(price, rules, buffer), rules.step_size)
    check_market_qty(qty, price, rules, requested_usd=size_usd, buffer=buffer)
    return qty


def sizing_price(price: Decimal, rules: SymbolRules, buffer: Decimal) -> Decimal:
    """The price an open is sized at: the reference widened by `buffer` and rounded up to the
    tick, the worst a buy can fill at by the venue's rule (the paper venue fills on the tick,
    rounded against the taker). Sizing off the tick booked more than the hold when the
    reference (a live mark price) had more decimals than the tick."""
    return round_to_tick(price * (1 + buffer), rules.tick_size, up=True)


def smallest_qty(price: Decimal, rules: SymbolRules) -> Decimal:
    """The least quantity on the step that meets both the minimum quantity and the minimum
    notional at `price`: the smallest order."""
    step = rules.step_size
    least = max(rules.min_qty, step)
    if price > 0 and least * price < rules.min_notional:
        units = (rules.min_notional / price / step).to_integral_value(rounding=ROUND_CEILING)
        least = max(least, (units * step).quantize(step))
    return least


def smallest_usd(price: Decimal, rules: SymbolRules, *, buffer: Decimal = Decimal(0)) -> Decimal:
    """The smallest whole-cent amount that opens at `price`: the smallest order's quantity at
    the sizing price (the reference widened by `buffer`, up to the tick), rounded up to the
    cent (so `market_qty_for_usd` of it passes and one cent less does not)."""
    least = smallest_qty(price, rules)
    return (least * sizing_price(price, rules, buffer)).quantize(CENT, rounding=ROUND_CEILING)


def _smallest_words(
    price: Decimal,
    rules: SymbolRules,
    buffer: Decimal,
    *,
    notional_said: bool,
    qty_said: Decimal | None = None,
) -> str:
    """Why the smallest amount is what it is, in plain words: the smallest order in the base
    asset (and the minimum notional, when that sets it rather than the minimum quantity), then
    that quantity at the price plus the buffer an open is sized with (a market fill may be that
    much worse; the hold covers it). Named alone after "below the minimum quantity 0.001 ETH", a
    figure like "$20.57" read as arbitrary."""
    qty = smallest_qty(price, rules)
    least = qty_text(qty, symbol=rules.symbol, step=rules.step_size)
    why = ""
    if qty > max(rules.min_qty, rules.step_size) and not notional_said:  # it sets the quantity
        why = f", the least worth the minimum notional {usd_display(rules.min_notional)}"
    usd = usd_display(smallest_usd(price, rules, buffer=buffer))
    at = price_text(price, tick=rules.tick_size)
    plus = ""
    if buffer > 0:
        pct = f"{(buffer * 100).normalize():f}%"
        plus = f", plus the {pct} slippage buffer an open is sized with"
    if qty == qty_said:  # the message named that quantity already: not twice
        return f" The smallest amount that opens is {usd} ({least} at {at}{plus})."
    return (
        f" The smallest order is {least}{why}, so the smallest amount that opens is {usd}"
        f" ({least} at {at}{plus})."
    )


def check_market_qty(
    qty: Decimal,
    price: Decimal,
    rules: SymbolRules,
    *,
    requested_usd: Decimal | None = None,
    buffer: Decimal = Decimal(0),
) -> None:
    # In the trader's units: the base asset at the lot step, prices at the tick, USD as money,
    # and the smallest amount in USD that would pass at this price.
    asked = f" for {usd_display(requested_usd)}" if requested_usd is not None else ""
    amount = qty_text(qty, symbol=rules.symbol, step=rules.step_size)
    at = price_text(price, tick=rules.tick_size)
    smallest = smallest_usd(price, rules, buffer=buffer)
    if qty < rules.min_qty or qty <= 0:
        minimum = qty_text(rules.min_qty, symbol=rules.symbol, step=rules.step_size)
        if qty <= 0 and requested_usd is not None:  # "0.00 BNB for $5.91" read as a bug
            head = f"{usd_display(requested_usd)} at {at} buys less than the minimum quantity"
        else:
            head = f"{amount}{asked} at {at} is below the minimum quantity"
        said = _smallest_words(price, rules, buffer, notional_said=False, qty_said=rules.min_qty)
        raise OrderSizeInvalid(f"Order too small: {head} {minimum}.{said}", smallest_usd=smallest)
    if qty * price < rules.min_notional:
        worth = usd_display(qty * price, toward_zero=True)
        raise OrderSizeInvalid(
            f"Order too small: {amount}{asked} is worth {worth} at {at}, "
            f"below the minimum notional {usd_display(rules.min_notional)}."
            f"{_smallest_words(price, rules, buffer, notional_said=True)}",
            smallest_usd=smallest,
        )
    if rules.max_qty is not None and qty > rules.max_qty:
        raise OrderSizeInvalid(
            f"Order too large: {amount} is above the maximum quantity "
            f"{qty_text(rules.max_qty, symbol=rules.symbol, step=rules.step_size)}."
        )
