"""Fixtures for tests against the fake Binance server (tests/support/fake_binance.py).

Reusable from anywhere under tests/: import FakeBinance, or use these fixtures via
`pytest_plugins`-free copying (they are small on purpose).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.fake_binance import FakeBinance


@pytest.fixture
def fake_binance() -> Iterator[FakeBinance]:
    with FakeBinance() as fake:
        yield fake


@pytest.fixture(autouse=True)
def _binance_settings(settings):
    from egis.venues.binance.client import reset_clock_offsets

    settings.EGIS_BINANCE_TIMEOUT_S = 5.0
    settings.EGIS_ALLOW_PRODUCTION = False
    reset_clock_offsets()
    yield
    reset_clock_offsets()


@pytest.fixture
def binance_account(bob, fake_binance):
    """Bob's demo account, pointed at the fake."""
    from egis.venues.accounts import account_create

    return account_create(
        owner=bob,
        venue="binance_futures",
        environment="demo",
        api_key=fake_binance.api_key,
        api_secret=fake_binance.api_secret,
        base_url=fake_binance.base_url,
    )


@pytest.fixture
def binance_bot(bob, binance_account):
    """Bob's BNBUSDT bot (step 0.01, min notional 5, mark 580.00), $100 budget, 5x."""
    from egis.bots.services import bot_create

    return bot_create(
        owner=bob,
        name="Bob BNB",
        venue="binance_futures",
        symbol="BNBUSDT",
        budget_usd="100.00",
        leverage=5,
        exchange_account=binance_account,
    )
