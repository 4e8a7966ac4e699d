"""Fees come from userTrades, which answers 500 trades unless asked for more (1,000 at most) and
can lag the order. Egis asks for 1,000, pages with fromId until the trades cover the executed
quantity, and otherwise books the fill with the fee marked pending: never a silent 0. Recovery
completes the fee once Binance lists every trade."""

from decimal import Decimal

import pytest

from egis.execution.recovery import recover
from egis.ledger.models import Order, Position, PositionEvent
from egis.ledger.pipeline import order_close, order_open
from egis.venues.base import OrderRequest
from egis.venues.binance.reports import order_report
from egis.venues.binance.venue import BinanceVenue

pytestmark = pytest.mark.django_db(transaction=True)

FULL_FEE_017 = Decimal("0.0493008")  # 0.17 BNB in 3 trades at 580.00/580.01/580.02, 0.05 %


def _fees_of(fake, venue_order_id: str) -> Decimal:
    return sum(
        (
            Decimal(t["commission"])
            for t in fake.state.trades
            if str(t["orderId"]) == venue_order_id
        ),
        Decimal(0),
    )


def test_an_order_with_more_fills_than_one_page_books_every_fee(binance_bot, fake_binance):
    fake_binance.fill_splits = 1500  # 15.00 BNB in 1,500 trades of 0.01
    venue = BinanceVenue(binance_bot)

    report = venue.place_market_order(
        OrderRequest(
            client_order_id="egis-paging-1",
            symbol="BNBUSDT",
            side="buy",
            qty=Decimal("15.00"),
            reduce_only=False,
        )
    )

    assert report.executed_qty == Decimal("15.00")
    assert report.raw["trades"] == 1500
    assert report.fee_usd == _fees_of(fake_binance, report.venue_order_id)
    assert not report.fee_pending
    pages = fake_binance.requests_to("/fapi/v1/userTrades")
    assert [p.params["limit"] for p in pages] == ["1000", "1000"]
    assert all(p.params["orderId"] == report.venue_order_id for p in pages)
    # The most recent 1,000 first (Binance's default), then the order's trades from the oldest.
    assert "fromId" not in pages[0].params
    assert pages[1].params["fromId"] == "1"


def test_a_walk_from_the_oldest_trade_goes_on_fromid_by_fromid(binance_bot, fake_binance):
    fake_binance.fill_splits = 2500  # 25.00 BNB in 2,500 trades: the recent 1,000 + 2 pages
    venue = BinanceVenue(binance_bot)

    report = venue.place_market_order(
        OrderRequest(
            client_order_id="egis-paging-2",
            symbol="BNBUSDT",
            side="buy",
            qty=Decimal("25.00"),
            reduce_only=False,
        )
    )

    assert report.raw["trades"] == 2500 and not report.fee_pending
    assert report.fee_usd == _fees_of(fake_binance, report.venue_order_id)
    ids = sorted(t["id"] for t in fake_binance.state.trades)
    pages = fake_binance.requests_to("/fapi/v1/userTrades")
    assert [p.params.get("fromId") for p in pages] == [None, "1", str(ids[999] + 1)]


def test_one_page_is_enough_when_it_covers_the_executed_quantity(binance_bot, fake_binance):
    order_open(bot_id=binance_bot.pk, side="long", size_usd="100")

    (page,) = fake_binance.requests_to("/fapi/v1/userTrades")
    assert page.params["limit"] == "1000"


def test_trades_lagging_the_order_book_the_fill_with_the_fee_pending(binance_bot, fake_binance):
    fake_binance.lag_trades(requests=1)  # the trade list is one request behind the order

    result = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")

    order = Order.objects.get(pk=result.order.pk)
    position = Position.objects.get(pk=result.position.pk)
    assert order.status == "filled" and order.executed_qty == Decimal("0.17")  # booked anyway
    assert position.size_usd == Decimal("98.6016")
    assert order.fee_pending is True
    assert order.fee_usd == 0 and position.fees_usd == 0
    assert "fee pending" in order.venue_response["fees_note"]

    report = recover()

    (fee,) = report.fees
    assert fee.completed and fee.client_order_id == order.client_order_id
    assert "1 pending fees completed, 0 still pending" in report.summary_line()
    order.refresh_from_db()
    position.refresh_from_db()
    assert order.fee_pending is False
    assert order.fee_usd == FULL_FEE_017 and position.fees_usd == FULL_FEE_017
    event = PositionEvent.objects.get(action="fee_completed")
    assert event.order_id == order.pk and "+0.0493008" in event.reason
    assert recover().fees == []  # done once, never again
    assert len(fake_binance.order_posts) == 1


def test_part_of_the_trades_listed_books_their_fee_and_completes_the_rest(
    binance_bot, fake_binance
):
    fake_binance.lag_trades(requests=2, last=1)  # the last of the 3 trades is listed late

    result = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")

    order = Order.objects.get(pk=result.order.pk)
    listed_fee = Decimal("0.0348003")  # 0.06 @ 580.00 + 0.06 @ 580.01
    assert order.fee_pending is True and order.fee_usd == listed_fee
    assert "list 0.12 of 0.17 executed" in order.venue_response["fees_note"]

    first = recover()  # the list still lags: said, not guessed
    assert [f.completed for f in first.fees] == [False]
    assert "0 pending fees completed, 1 still pending" in first.summary_line()
    order.refresh_from_db()
    assert order.fee_pending is True and order.fee_usd == listed_fee

    second = recover()
    assert [f.completed for f in second.fees] == [True]
    order.refresh_from_db()
    assert order.fee_pending is False and order.fee_usd == FULL_FEE_017
    assert Position.objects.get(pk=order.position_id).fees_usd == FULL_FEE_017


def test_a_close_with_lagging_trades_completes_its_fee_on_the_closed_position(
    binance_bot, fake_binance
):
    opened = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    fake_binance.lag_trades(requests=1)

    closed = order_close(bot_id=binance_bot.pk, position_id=opened.position.pk)

    close_order = Order.objects.get(pk=closed.order.pk)
    position = Position.objects.get(pk=opened.position.pk)
    assert position.status == "closed" and close_order.fee_pending is True
    assert position.fees_usd == FULL_FEE_017  # the open's fee only, so far

    recover()

    close_order.refresh_from_db()
    position.refresh_from_db()
    assert close_order.fee_pending is False and close_order.fee_usd > 0
    assert position.fees_usd == FULL_FEE_017 + close_order.fee_usd


def test_the_adapter_never_asks_for_more_than_binance_allows(binance_bot, fake_binance):
    order_open(bot_id=binance_bot.pk, side="long", size_usd="100")

    for request in fake_binance.requests_to("/fapi/v1/userTrades"):
        assert 1 <= int(request.params["limit"]) <= 1000


def test_no_trade_list_at_all_is_a_pending_fee_not_a_zero():
    answer = {
        "orderId": 1,
        "clientOrderId": "egis-1-x",
        "status": "FILLED",
        "executedQty": "0.17",
        "cumQuote": "98.6016",
        "avgPrice": "580.0094",
    }

    unavailable = order_report(answer, None)
    empty = order_report(answer, [])
    nothing_filled = order_report({**answer, "executedQty": "0", "cumQuote": "0"}, [])

    assert unavailable.fee_pending and unavailable.fee_usd == 0
    assert "unavailable" in unavailable.raw["fees_note"]
    assert empty.fee_pending and "list 0 of 0.17" in empty.raw["fees_note"]
    assert not nothing_filled.fee_pending  # no fill, no fee to wait for


def test_an_order_still_working_does_not_wait_for_its_fee_yet(binance_bot, fake_binance):
    from egis.execution.fees import complete_pending_fees
    from egis.ledger.errors import OrderNotBooked
    from egis.ledger.settle import settle_order
    from egis.venues.base import OrderReport, VenueOrderStatus
    from tests.support.fake_binance import TIMEOUT_1007_AFTER_BOOKING

    fake_binance.fail_next_order(TIMEOUT_1007_AFTER_BOOKING)
    with pytest.raises(OrderNotBooked) as caught:
        order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    order = Order.objects.get(client_order_id=caught.value.client_order_id)
    working = OrderReport(
        client_order_id=order.client_order_id,
        venue_order_id="1",
        status=VenueOrderStatus.PARTIALLY_FILLED,
        executed_qty=Decimal("0.1"),
        cum_quote_usd=Decimal("58"),
        avg_price=Decimal("580"),
        fee_pending=True,
    )

    settle_order(order.pk, working, via="test")

    order.refresh_from_db()
    assert order.status == "unknown" and order.fee_pending is False  # booked when final
    assert complete_pending_fees() == []
    assert Position.objects.get(pk=order.position_id).fees_usd == 0
