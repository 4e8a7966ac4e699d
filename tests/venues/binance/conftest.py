"""Every test here runs the real adapter against the fake Binance server on 127.0.0.1."""

from __future__ import annotations

import pytest

from tests.support.binance_fixtures import (  # noqa: F401  (fixtures)
    binance_account,
    binance_bot,
    binance_settings,
    fake_binance,
)


@pytest.fixture(autouse=True)
def _binance_defaults(request):
    return request.getfixturevalue("binance_settings")
