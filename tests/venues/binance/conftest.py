"""Every test here runs the real adapter against the fake Binance server on 127.0.0.1."""

from tests.support.binance_fixtures import (  # noqa: F401  (fixtures, `_binance_settings` autouse)
    _binance_settings,
    binance_account,
    binance_bot,
    fake_binance,
    second_bot,
)
