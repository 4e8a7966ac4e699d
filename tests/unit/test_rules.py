from decimal import Decimal as D

import pytest

from egis.venues.base import SymbolRules
from egis.venues.rules import (
    OrderSizeInvalid,
    check_market_qty,
    floor_to_step,
    market_qty_for_usd,
    round_to_tick,
)

ETH = SymbolRules(
    "ETHUSDT", step_size=D("0.001"), min_qty=D("0.001"), min_notional=D("5"), tick_size=D("0.01")
)


def test_floor_to_step_never_rounds_up():
    assert floor_to_step(D("0.0034077"), D("0.001")) == D("0.003")
    assert floor_to_step(D("0.003"), D("0.001")) == D("0.003")
    assert floor_to_step(D("83.9"), D("1")) == D("83")
    assert floor_to_step(D("0.0009"), D("0.001")) == D("0.000")


def test_round_to_tick_direction():
    assert round_to_tick(D("2934.561"), D("0.01"), up=True) == D("2934.57")
    assert round_to_tick(D("2934.569"), D("0.01"), up=False) == D("2934.56")


def test_ten_dollars_of_eth_is_three_thousandths():
    assert market_qty_for_usd(D("10"), D("2934.56"), ETH) == D("0.003")


def test_buffer_sizes_for_a_worse_fill():
    # 10 / (2934.56 * 1.5) = 0.00227 -> 0.002
    assert market_qty_for_usd(D("10"), D("2934.56"), ETH, buffer=D("0.5")) == D("0.002")


def test_below_min_qty_is_refused_with_the_numbers():
    with pytest.raises(
        OrderSizeInvalid,
        match=r"\$2.00 at \$2,934.56 buys less than the minimum quantity 0.001 ETH",
    ):
        market_qty_for_usd(D("2"), D("2934.56"), ETH)


def test_below_min_notional_after_rounding_is_refused():
    rules = SymbolRules("ETHUSDT", D("0.001"), D("0.001"), D("20"), D("0.01"))
    with pytest.raises(
        OrderSizeInvalid, match=r"worth \$8.80 at \$2,934.56, below the minimum notional \$20.00"
    ):
        market_qty_for_usd(D("10"), D("2934.56"), rules)


def test_max_qty():
    rules = SymbolRules("X", D("1"), D("1"), D("0"), D("0.1"), max_qty=D("10"))
    with pytest.raises(OrderSizeInvalid, match="above the maximum"):
        check_market_qty(D("11"), D("1"), rules)
