"""The Binance fixtures (fake server on loopback, Bob's demo account and bot), shared as is."""

from tests.venues.binance.conftest import (  # noqa: F401
    _binance_settings,
    binance_account,
    binance_bot,
    fake_binance,
    second_bot,
)
