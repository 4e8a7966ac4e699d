"""Pytest fixtures around the fake Binance server, importable by any conftest:

    from tests.support.binance_fixtures import (  # noqa: F401
        _binance_settings, binance_account, binance_bot, fake_binance,
    )

`_binance_settings` is autouse wherever it is imported: short timeouts, production off and a
fresh clock offset for every test.

`fake_binance` is a started FakeBinance on 127.0.0.1; `binance_account` is Bob's demo account
pointed at it (needs the `bob` fixture of tests/conftest.py); `binance_bot` is Bob's BNBUSDT bot
on that account (step 0.01, min notional 5, mark 580.00), $100 budget, 5x.
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
    """Short timeouts, production off, and a fresh clock offset for every test."""
    from egis.venues.binance.client import reset_clock_offsets

    settings.EGIS_BINANCE_TIMEOUT_S = 5.0
    settings.EGIS_ALLOW_PRODUCTION = False
    reset_clock_offsets()
    yield settings
    reset_clock_offsets()


@pytest.fixture
def binance_account(bob, fake_binance):
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


@pytest.fixture
def second_bot(bob, binance_account):
    """A second bot of Bob's on the same account and symbol: one netted Binance position."""
    from egis.bots.services import bot_create

    return bot_create(
        owner=bob,
        name="Bob BNB 2",
        venue="binance_futures",
        symbol="BNBUSDT",
        budget_usd="100.00",
        leverage=5,
        exchange_account=binance_account,
    )
