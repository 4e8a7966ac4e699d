"""Pure translation of Binance payloads (no HTTP, no database)."""

from decimal import Decimal

import pytest

from egis.venues.base import VenueConfigError, VenueOrderStatus
from egis.venues.binance.reports import order_report, symbol_rules_from_exchange_info

INFO = {
    "symbols": [
        {
            "symbol": "SOLUSDT",
            "status": "TRADING",
            "filters": [
                {"filterType": "PRICE_FILTER", "tickSize": "0.0100", "minPrice": "0.4200"},
                {
                    "filterType": "LOT_SIZE",
                    "stepSize": "0.01",
                    "minQty": "0.01",
                    "maxQty": "1000000",
                },
                {
                    "filterType": "MARKET_LOT_SIZE",
                    "stepSize": "0.01",
                    "minQty": "0.01",
                    "maxQty": "5000",
                },
                {"filterType": "MIN_NOTIONAL", "notional": "5"},
            ],
        },
        {"symbol": "OLDUSDT", "status": "SETTLING", "filters": []},
    ]
}


def test_market_orders_follow_market_lot_size_min_notional_and_tick():
    rules = symbol_rules_from_exchange_info(INFO, "SOLUSDT")
    assert rules.step_size == Decimal("0.01")
    assert rules.min_qty == Decimal("0.01")
    assert rules.max_qty == Decimal("5000")  # MARKET_LOT_SIZE, not LOT_SIZE
    assert rules.min_notional == Decimal("5")
    assert rules.tick_size == Decimal("0.01")


@pytest.mark.parametrize("symbol", ["NOPEUSDT", "OLDUSDT"])
def test_unlisted_or_not_trading_symbols_are_refused(symbol):
    with pytest.raises(VenueConfigError):
        symbol_rules_from_exchange_info(INFO, symbol)


def test_a_report_books_executed_figures_and_fees_from_trades():
    order = {
        "orderId": 42,
        "clientOrderId": "egis-1-abc",
        "status": "EXPIRED",
        "origQty": "0.30",
        "executedQty": "0.17",
        "cumQuote": "98.6016",
        "avgPrice": "580.00941",
    }
    trades = [
        {
            "orderId": 42,
            "qty": "0.10",
            "price": "580.00",
            "commission": "0.029",
            "commissionAsset": "USDT",
        },
        {
            "orderId": 42,
            "qty": "0.07",
            "price": "580.0228",
            "commission": "0.0203",
            "commissionAsset": "USDT",
        },
    ]

    report = order_report(order, trades)

    assert report.status == VenueOrderStatus.EXPIRED and report.is_final
    assert report.executed_qty == Decimal("0.17")  # never origQty
    assert report.cum_quote_usd == Decimal("98.6016")
    assert report.avg_price == Decimal("98.6016") / Decimal("0.17")
    assert report.fee_usd == Decimal("0.0493")
    assert report.raw["binance_avg_price"] == "580.00941"
    assert report.raw["trades"] == 2


def test_fees_in_another_asset_are_kept_aside_not_added():
    order = {
        "orderId": 1,
        "clientOrderId": "c",
        "status": "FILLED",
        "executedQty": "1",
        "cumQuote": "10",
    }
    trades = [
        {"orderId": 1, "qty": "1", "price": "10", "commission": "0.0001", "commissionAsset": "BNB"}
    ]

    report = order_report(order, trades)

    assert report.fee_usd == 0
    assert report.raw["fees_other_assets"] == {"BNB": "0.0001"}


def test_an_unknown_venue_status_is_not_final():
    order = {"orderId": 1, "clientOrderId": "c", "status": "PENDING_NEW", "executedQty": "0"}
    assert not order_report(order, []).is_final
