"""A too-small order is refused in the trader's units: the quantity in the base asset, the price
at the tick with "$", and the smallest amount in USD that would open at this price. That amount
is the true threshold: it passes the open's own sizing and one cent less does not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.venues.base import SymbolRules
from egis.venues.rules import OrderSizeInvalid, market_qty_for_usd, smallest_usd

BNB = SymbolRules(
    symbol="BNBUSDT",
    step_size=Decimal("0.01"),
    min_qty=Decimal("0.01"),
    min_notional=Decimal("5"),
    tick_size=Decimal("0.01"),
)
ETH = SymbolRules(
    symbol="ETHUSDT",
    step_size=Decimal("0.001"),
    min_qty=Decimal("0.001"),
    min_notional=Decimal("20"),
    tick_size=Decimal("0.01"),
)


def test_the_refusal_names_units_the_tick_and_the_smallest_amount_in_usd():
    with pytest.raises(OrderSizeInvalid) as caught:
        market_qty_for_usd(Decimal("1"), Decimal("587.1"), BNB)
    assert str(caught.value) == (
        "Order too small: $1.00 at $587.10 buys less than the minimum quantity 0.01 BNB. "
        "The smallest amount that opens is $5.88 (0.01 BNB at $587.10)."
    )
    with pytest.raises(OrderSizeInvalid) as caught:
        market_qty_for_usd(Decimal("10"), Decimal("2934.56"), ETH)
    text = str(caught.value)
    worth = "0.003 ETH for $10.00 is worth $8.80 at $2,934.56, below the minimum notional $20.00."
    assert worth in text
    assert text.endswith(
        " The smallest order is 0.007 ETH, so the smallest amount that opens is $20.55 "
        "(0.007 ETH at $2,934.56)."
    )


def test_the_smallest_amount_says_why_it_is_more_than_the_minimum_quantity_times_the_price():
    # Newcomer: "below the minimum quantity 0.001 ETH ... is $20.57" read as an arbitrary figure
    # (0.001 ETH is about $2.93). The minimum notional sets the smallest order, and the open is
    # sized with the venue's slippage buffer: the refusal says both.
    with pytest.raises(OrderSizeInvalid) as caught:
        market_qty_for_usd(Decimal("1"), Decimal("2934.56"), ETH, buffer=Decimal("0.001"))
    assert str(caught.value) == (
        "Order too small: $1.00 at $2,934.56 buys less than the minimum quantity "
        "0.001 ETH. The smallest order is 0.007 ETH, the least worth the minimum notional "
        "$20.00, so the smallest amount that opens is $20.57 (0.007 ETH at $2,934.56, plus the "
        "0.1% slippage buffer an open is sized with)."
    )
    # The figure named is the threshold: 0.007 x 2,934.56 x 1.001 = 20.5619... up to the tick
    # (2,937.50) and the cent.
    assert caught.value.smallest_usd == Decimal("20.57")
    market_qty_for_usd(Decimal("20.57"), Decimal("2934.56"), ETH, buffer=Decimal("0.001"))


@pytest.mark.parametrize("rules", [BNB, ETH])
@pytest.mark.parametrize("price", ["587.1", "593.13", "2934.56", "0.5123", "61234.5"])
@pytest.mark.parametrize("buffer", ["0", "0.001", "0.005"])
def test_the_smallest_amount_is_the_threshold(rules, price, buffer):
    p, b = Decimal(price), Decimal(buffer)
    least = smallest_usd(p, rules, buffer=b)
    market_qty_for_usd(least, p, rules, buffer=b)  # passes
    with pytest.raises(OrderSizeInvalid):
        market_qty_for_usd(least - Decimal("0.01"), p, rules, buffer=b)
