"""The Algo Order API client (egis.venues.binance.algo) against the fake exchange: the exact
parameters sent, the answers read, unknown outcomes, and the plain order endpoint refusing
conditional types (-4120)."""

from decimal import Decimal

import pytest

from egis.venues.base import OrderNotFound, VenueOutcomeUnknown, VenueRejected
from egis.venues.binance.algo import (
    STOP_MARKET,
    TAKE_PROFIT_MARKET,
    TRAILING_STOP_MARKET,
    AlgoOrderRequest,
    BinanceAlgoOrders,
)
from egis.venues.binance.client import BinanceClient
from egis.venues.secrets import encrypt_secret
from tests.support.fake_binance_algo import (
    ALGO_503_AFTER_BOOKING,
    CANCEL_503_AFTER_CANCELLING,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def algos(fake_binance):
    client = BinanceClient(
        base_url=fake_binance.base_url,
        api_key=fake_binance.api_key,
        secret_token=encrypt_secret(fake_binance.api_secret),
    )
    yield BinanceAlgoOrders(client)
    client.close()


def _stop(cid: str = "egx-1-stop", qty: str = "0.17", trigger: str = "570.00") -> AlgoOrderRequest:
    return AlgoOrderRequest(
        client_algo_id=cid,
        symbol="BNBUSDT",
        side="sell",
        order_type=STOP_MARKET,
        quantity=D(qty),
        trigger_price=D(trigger),
    )


def test_place_sends_the_documented_parameters_and_reads_the_answer(fake_binance, algos):
    fake_binance.set_position("BNBUSDT", "0.17", "580")
    report = algos.place(_stop())
    (post,) = fake_binance.algo_posts
    assert {k: v for k, v in post.params.items() if k not in ("timestamp", "signature")} == {
        "algoType": "CONDITIONAL",
        "symbol": "BNBUSDT",
        "side": "SELL",
        "type": "STOP_MARKET",
        "quantity": "0.17",
        "reduceOnly": "true",
        "workingType": "MARK_PRICE",
        "triggerPrice": "570",
        "priceProtect": "TRUE",
        "clientAlgoId": "egx-1-stop",
        "recvWindow": post.params["recvWindow"],
    }
    assert "closePosition" not in post.params
    assert (report.status, report.client_algo_id, report.quantity) == (
        "NEW",
        "egx-1-stop",
        D("0.17"),
    )
    assert report.trigger_price == D("570.00") and report.reduce_only
    assert report.working and not report.fired
    assert fake_binance.order_posts == []


def test_trailing_stop_sends_callback_rate_and_activation_price(fake_binance, algos):
    request = AlgoOrderRequest(
        client_algo_id="egx-1-trail",
        symbol="BNBUSDT",
        side="sell",
        order_type=TRAILING_STOP_MARKET,
        quantity=D("0.17"),
        callback_rate=D("1.5"),
        activate_price=D("590.00"),
    )
    algos.place(request)
    (post,) = fake_binance.algo_posts
    assert (post.params["callbackRate"], post.params["activatePrice"]) == ("1.5", "590")
    assert "triggerPrice" not in post.params and "priceProtect" not in post.params
    with pytest.raises(ValueError, match="outside"):
        AlgoOrderRequest(
            client_algo_id="x",
            symbol="BNBUSDT",
            side="sell",
            order_type=TRAILING_STOP_MARKET,
            quantity=D("1"),
            callback_rate=D("11"),
        ).params()


def test_query_cancel_open_and_all(fake_binance, algos):
    placed = algos.place(_stop())
    assert algos.query(client_algo_id="egx-1-stop").algo_id == placed.algo_id
    assert algos.query(algo_id=placed.algo_id).client_algo_id == "egx-1-stop"
    assert [r.client_algo_id for r in algos.open_orders("BNBUSDT")] == ["egx-1-stop"]
    algos.cancel(symbol="BNBUSDT", client_algo_id="egx-1-stop", algo_id=placed.algo_id)
    assert algos.query(client_algo_id="egx-1-stop").status == "CANCELED"
    assert algos.open_orders("BNBUSDT") == []
    assert [r.status for r in algos.all_orders("BNBUSDT")] == ["CANCELED"]
    with pytest.raises(OrderNotFound):  # -2011: Binance holds no such open algo order
        algos.cancel(symbol="BNBUSDT", client_algo_id="egx-1-stop", algo_id=placed.algo_id)
    with pytest.raises(OrderNotFound):
        algos.query(client_algo_id="never-placed")


def test_unknown_outcomes_of_place_and_cancel(fake_binance, algos):
    fake_binance.fail_next_algo(ALGO_503_AFTER_BOOKING)
    with pytest.raises(VenueOutcomeUnknown):
        algos.place(_stop())
    assert algos.query(client_algo_id="egx-1-stop").status == "NEW"  # it was booked
    fake_binance.fail_next_algo_cancel(CANCEL_503_AFTER_CANCELLING)
    with pytest.raises(VenueOutcomeUnknown):
        algos.cancel(symbol="BNBUSDT", client_algo_id="egx-1-stop")
    assert algos.query(client_algo_id="egx-1-stop").status == "CANCELED"


def test_a_crossed_stop_places_a_reduce_only_market_order_against_the_netted_book(
    fake_binance, algos
):
    fake_binance.set_position("BNBUSDT", "0.25", "580")  # two bots' 0.17 + 0.08
    algos.place(_stop())
    tp = AlgoOrderRequest(
        client_algo_id="egx-1-tp",
        symbol="BNBUSDT",
        side="sell",
        order_type=TAKE_PROFIT_MARKET,
        quantity=D("0.17"),
        trigger_price=D("600.00"),
    )
    algos.place(tp)
    fake_binance.set_mark_price("BNBUSDT", "569.00")
    fired = algos.query(client_algo_id="egx-1-stop")
    assert fired.fired and fired.status == "FINISHED" and fired.actual_order_id
    assert algos.query(client_algo_id="egx-1-tp").status == "NEW"  # no OCO at Binance
    assert fake_binance.position_amt("BNBUSDT") == D("0.08")  # only the stop's own quantity
    (order,) = fake_binance.state.orders.values()
    assert (order["type"], order["reduceOnly"], order["executedQty"]) == ("MARKET", True, "0.17")
    assert str(order["orderId"]) == fired.actual_order_id


def test_an_immediately_triggering_exit_is_refused(fake_binance, algos):
    with pytest.raises(VenueRejected) as info:
        algos.place(_stop(trigger="590.00"))  # a long's stop above the mark
    assert info.value.code == -2021


def test_the_plain_order_endpoint_refuses_conditional_types(fake_binance, algos):
    with pytest.raises(VenueRejected) as info:
        algos.client.signed_post(
            "/fapi/v1/order",
            [
                ("symbol", "BNBUSDT"),
                ("side", "SELL"),
                ("type", "STOP_MARKET"),
                ("quantity", "0.17"),
                ("stopPrice", "570.00"),
            ],
            idempotent=False,
        )
    assert info.value.code == -4120
    (refused,) = fake_binance.answered_code(-4120)  # what the exits tests assert never happens
    assert refused.path == "/fapi/v1/order" and refused.params["type"] == "STOP_MARKET"
