"""Stored prices keep a bounded history per symbol (the chart's line), pruned by the same
transaction that appends to it; the pages read the price with its own timestamp and age."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from egis.venues.models import Price, PricePoint
from egis.venues.prices.quotes import price_feeds, price_history, quote_json, quotes_of
from egis.venues.prices.sources import SimulatedPriceSource, price_set
from egis.venues.prices.store import history_prune, price_store
from egis.venues.prices.ticker import binance_prices_poll, prices_refresh, tick_delays
from tests.support.binance_fixtures import fake_binance  # noqa: F401

pytestmark = pytest.mark.django_db


def _points(symbol: str, source: str = "fixed") -> list[Decimal]:
    rows = PricePoint.objects.filter(source=source, symbol=symbol).order_by("id")
    return [p.price for p in rows]


def test_the_history_keeps_the_newest_points_of_each_symbol_only(paper_filters, settings):
    settings.EGIS_PRICE_HISTORY_POINTS = 5
    for n in range(1, 13):
        price_set(symbol="ETHUSDT", price=Decimal(2000 + n), source="fixed")
    price_set(symbol="BTCUSDT", price=Decimal("90000"), source="fixed")

    assert _points("ETHUSDT") == [Decimal(2000 + n) for n in range(8, 13)]
    assert _points("BTCUSDT") == [Decimal("90000")]  # another symbol's window is its own
    assert Price.objects.get(source="fixed", symbol="ETHUSDT").price == Decimal("2012")


def test_a_history_over_the_bound_shrinks_at_the_next_store(paper_filters, settings):
    settings.EGIS_PRICE_HISTORY_POINTS = 50
    for n in range(1, 41):
        price_set(symbol="ETHUSDT", price=Decimal(n), source="fixed")
    settings.EGIS_PRICE_HISTORY_POINTS = 10  # the operator lowered the setting
    price_set(symbol="ETHUSDT", price=Decimal("41"), source="fixed")
    assert _points("ETHUSDT") == [Decimal(n) for n in range(32, 42)]
    assert history_prune(source="fixed", symbol="ETHUSDT", keep=10) == 0


def test_the_simulated_walk_records_every_step(paper_filters, settings):
    settings.EGIS_PRICE_HISTORY_POINTS = 3
    source = SimulatedPriceSource(seed=1)
    moved = [source.advance("ETHUSDT") for _ in range(5)]
    assert _points("ETHUSDT", "simulated") == moved[-3:]
    row = Price.objects.get(source="simulated", symbol="ETHUSDT")
    assert row.step == 5
    assert row.price == moved[-1]


def test_a_stored_price_carries_its_timestamp_and_ages_on_the_servers_clock(
    paper_filters, settings
):
    settings.EGIS_PRICE_STALE_SECONDS = 30
    row = price_store(source="fixed", symbol="ETHUSDT", price=Decimal("2934.56"))
    quote = quotes_of(["ETHUSDT"])["ETHUSDT"]
    assert quote is not None
    assert quote.as_of == row.updated_at
    assert PricePoint.objects.get(symbol="ETHUSDT").at == row.updated_at

    fresh = quote_json("ETHUSDT", quote, now=row.updated_at + timedelta(seconds=4.9))
    assert fresh["price"] == "2934.56"
    assert (fresh["age_s"], fresh["stale"]) == (4, False)
    old = quote_json("ETHUSDT", quote, now=row.updated_at + timedelta(seconds=31))
    assert (old["age_s"], old["stale"]) == (31, True)


def test_an_unknown_price_is_stale_not_zero(db):
    feed = price_feeds(["XRPUSDT"])["XRPUSDT"]
    assert feed["price"] is None
    assert feed["stale"] is True


def test_history_reads_the_configured_source_oldest_first(paper_filters, settings):
    for price in ("1", "2", "3"):
        price_set(symbol="ETHUSDT", price=Decimal(price), source="fixed")
    assert [p for _, p in price_history("ETHUSDT")] == [Decimal(1), Decimal(2), Decimal(3)]
    assert [p for _, p in price_history("ETHUSDT", limit=2)] == [Decimal(2), Decimal(3)]
    settings.EGIS_PRICE_SOURCE = "simulated"
    assert price_history("ETHUSDT") == []


def test_the_minutes_ticks_are_spread_every_tick_seconds():
    assert tick_delays(5) == [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]
    assert tick_delays(20) == [0, 20, 40]
    assert tick_delays(0) == list(range(60))  # never a zero step


def test_a_tick_moves_the_simulated_feed_of_live_bots(paper_bot, settings):
    settings.EGIS_PRICE_SOURCE = "simulated"
    before = timezone.now()
    moved = prices_refresh()
    assert list(moved) == ["ETHUSDT"]
    quote = quotes_of(["ETHUSDT"])["ETHUSDT"]
    assert quote is not None and quote.price == moved["ETHUSDT"] and quote.as_of >= before


def test_the_binance_feed_is_polled_by_the_worker_and_stored(
    paper_bot,
    settings,
    fake_binance,  # noqa: F811
):
    settings.EGIS_PRICE_SOURCE = "binance"
    settings.EGIS_BINANCE_PUBLIC_URL = fake_binance.base_url
    fake_binance.set_mark_price("ETHUSDT", "3010.25")
    assert binance_prices_poll() == {"ETHUSDT": Decimal("3010.25")}
    assert _points("ETHUSDT", "binance") == [Decimal("3010.25")]
    # The page reads the stored price: no request reaches the venue on a render.
    requests = len(fake_binance.requests)
    assert quotes_of(["ETHUSDT"])["ETHUSDT"].price == Decimal("3010.25")  # type: ignore[union-attr]
    assert len(fake_binance.requests) == requests
