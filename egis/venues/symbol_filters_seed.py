"""Binance USD-M Futures trading rules (MARKET_LOT_SIZE step/min qty, MIN_NOTIONAL, tick size),
as published by /fapi/v1/exchangeInfo in 2025. The paper venue copies them; they stay editable
(`egis filters set`), and Binance accounts refresh their own copy from exchangeInfo.
"""

from decimal import Decimal

D = Decimal

BINANCE_USDM_FILTERS: dict[str, dict[str, Decimal]] = {
    "BTCUSDT": {
        "step_size": D("0.001"),
        "min_qty": D("0.001"),
        "min_notional": D("100"),
        "tick_size": D("0.1"),
    },
    "ETHUSDT": {
        "step_size": D("0.001"),
        "min_qty": D("0.001"),
        "min_notional": D("20"),
        "tick_size": D("0.01"),
    },
    "BNBUSDT": {
        "step_size": D("0.01"),
        "min_qty": D("0.01"),
        "min_notional": D("5"),
        "tick_size": D("0.01"),
    },
    "SOLUSDT": {
        "step_size": D("0.01"),
        "min_qty": D("0.01"),
        "min_notional": D("5"),
        "tick_size": D("0.01"),
    },
    "XRPUSDT": {
        "step_size": D("0.1"),
        "min_qty": D("0.1"),
        "min_notional": D("5"),
        "tick_size": D("0.0001"),
    },
    "DOGEUSDT": {
        "step_size": D("1"),
        "min_qty": D("1"),
        "min_notional": D("5"),
        "tick_size": D("0.00001"),
    },
    "ADAUSDT": {
        "step_size": D("1"),
        "min_qty": D("1"),
        "min_notional": D("5"),
        "tick_size": D("0.0001"),
    },
}

# Starting points of the simulated random walk (offline demo and tests).
SIMULATED_START_PRICES: dict[str, Decimal] = {
    "BTCUSDT": D("60000.0"),
    "ETHUSDT": D("2934.56"),
    "BNBUSDT": D("580.00"),
    "SOLUSDT": D("145.00"),
    "XRPUSDT": D("0.5200"),
    "DOGEUSDT": D("0.12000"),
    "ADAUSDT": D("0.4500"),
}


def seed_paper_filters(symbol_filter_model: type | None = None) -> int:
    """Insert the paper venue's rules for the listed symbols that have none; returns how many."""
    if symbol_filter_model is None:
        from egis.venues.models import SymbolFilter

        symbol_filter_model = SymbolFilter
    created = 0
    for symbol, rules in BINANCE_USDM_FILTERS.items():
        _, was_created = symbol_filter_model.objects.get_or_create(  # type: ignore[attr-defined]
            venue_key="paper", symbol=symbol, defaults=rules
        )
        created += int(was_created)
    return created
