from decimal import Decimal

import pytest

from egis.venues.prices.sources import (
    FixedPriceSource,
    PriceUnavailable,
    SimulatedPriceSource,
    get_price_source,
    price_set,
)
from egis.venues.prices.ticker import simulated_prices_advance

pytestmark = pytest.mark.django_db


def test_the_simulated_walk_is_deterministic_for_a_seed(paper_filters):
    def walk(seed):
        source = SimulatedPriceSource(seed=seed)
        price = Decimal("2934.56")
        out = []
        for step in range(1, 50):
            price = source.next_price("ETHUSDT", price, step)
            out.append(price)
        return out

    assert walk(7) == walk(7)
    assert walk(7) != walk(8)
    prices = walk(7)
    assert all(p == p.quantize(Decimal("0.01")) for p in prices)  # on the tick
    assert all(p > 0 for p in prices)


def test_advance_moves_at_most_half_a_percent_per_step(paper_filters):
    source = SimulatedPriceSource(seed=3)
    start = source.price("BTCUSDT")
    moved = source.advance("BTCUSDT")
    assert abs(moved - start) <= start * Decimal("0.005") + Decimal("0.1")
    assert source.price("BTCUSDT") == moved


def test_fixed_price_must_be_set_first(db):
    with pytest.raises(PriceUnavailable, match="egis price set ETHUSDT"):
        FixedPriceSource().price("ETHUSDT")
    price_set(symbol="ethusdt", price=Decimal("2000.5"), source="fixed")
    assert FixedPriceSource().price("ETHUSDT") == Decimal("2000.5")


def test_unknown_source_is_a_clear_error():
    with pytest.raises(PriceUnavailable, match="use simulated, fixed or binance"):
        get_price_source("random")


def test_ticker_advances_symbols_of_active_paper_bots(paper_bot, settings):
    settings.EGIS_PRICE_SOURCE = "simulated"
    moved = simulated_prices_advance()
    assert list(moved) == ["ETHUSDT"]
    settings.EGIS_PRICE_SOURCE = "fixed"
    assert simulated_prices_advance() == {}
