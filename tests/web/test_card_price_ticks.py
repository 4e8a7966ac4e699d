"""The Bots list sends each symbol's price tick with the price feeds, so a card's price line
shows the price at the bot page's precision (read in one query, whatever the number of bots)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egis.bots.services import bot_create
from egis.venues.models import SymbolFilter
from egis.venues.selectors import price_ticks
from tests.web.conftest import inertia

pytestmark = pytest.mark.django_db


def test_the_bots_list_sends_each_symbols_tick(as_bob, paper_bot, bob, set_price):
    set_price("BTCUSDT", "95000")
    bot_create(owner=bob, name="Bob BTC", venue="paper", symbol="BTCUSDT", budget_usd="200")
    props = inertia(as_bob, "/")["props"]
    assert props["price_ticks"] == {"ETHUSDT": "0.01", "BTCUSDT": "0.1"}
    assert set(props["prices"]) == {"ETHUSDT", "BTCUSDT"}


def test_the_finest_tick_of_the_venues_in_one_query(paper_filters):
    SymbolFilter.objects.create(
        venue_key="binance_futures:testnet",
        symbol="ETHUSDT",
        step_size=Decimal("0.001"),
        min_qty=Decimal("0.001"),
        min_notional=Decimal("5"),
        tick_size=Decimal("0.001"),
    )
    with CaptureQueriesContext(connection) as queries:
        ticks = price_ticks(["ETHUSDT", "BNBUSDT", "NOSUCHUSDT"])
    assert ticks == {"ETHUSDT": "0.001", "BNBUSDT": "0.01", "NOSUCHUSDT": None}
    assert len(queries) == 1
