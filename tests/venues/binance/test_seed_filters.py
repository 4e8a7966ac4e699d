"""The seeded USDⓈ-M rules (checked against Binance's exchangeInfo) and their data migration."""

from decimal import Decimal

import pytest

from egis.venues.models import SymbolFilter
from egis.venues.symbol_filters_seed import BINANCE_USDM_FILTERS

D = Decimal

# symbol: (MARKET_LOT_SIZE step = minQty, MIN_NOTIONAL notional, PRICE_FILTER tickSize)
PUBLISHED = {
    "BTCUSDT": (D("0.001"), D("100"), D("0.1")),
    "ETHUSDT": (D("0.001"), D("20"), D("0.01")),
    "BNBUSDT": (D("0.01"), D("5"), D("0.01")),
    "SOLUSDT": (D("0.01"), D("5"), D("0.01")),
    "XRPUSDT": (D("0.1"), D("5"), D("0.0001")),
    "DOGEUSDT": (D("1"), D("5"), D("0.00001")),
    "ADAUSDT": (D("1"), D("5"), D("0.0001")),
}


@pytest.mark.parametrize("symbol", sorted(PUBLISHED))
def test_seed_matches_the_published_rules(symbol):
    step, notional, tick = PUBLISHED[symbol]
    seeded = BINANCE_USDM_FILTERS[symbol]
    assert (seeded["step_size"], seeded["min_qty"]) == (step, step)
    assert seeded["min_notional"] == notional
    assert seeded["tick_size"] == tick


@pytest.mark.django_db
def test_migrated_paper_rules_carry_the_corrected_sol_step():
    row = SymbolFilter.objects.get(venue_key="paper", symbol="SOLUSDT")
    assert (row.step_size, row.min_qty) == (D("0.01"), D("0.01"))
