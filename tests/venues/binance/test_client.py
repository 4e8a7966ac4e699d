"""The HTTP layer's classification of answers, and the -1021 clock rule, against the fake."""

import socket

import pytest

from egis.venues.base import (
    OrderNotFound,
    VenueOutcomeUnknown,
    VenueRejected,
    VenueUnavailable,
)
from egis.venues.binance.client import BinanceClient
from egis.venues.secrets import encrypt_secret
from tests.support.fake_binance import REJECT, UNKNOWN_503_AFTER_BOOKING

pytestmark = pytest.mark.django_db

ORDER = [
    ("symbol", "BNBUSDT"),
    ("side", "BUY"),
    ("type", "MARKET"),
    ("quantity", "0.01"),
    ("newOrderRespType", "RESULT"),
]


@pytest.fixture
def client(fake_binance):
    c = BinanceClient(
        base_url=fake_binance.base_url,
        api_key=fake_binance.api_key,
        secret_token=encrypt_secret(fake_binance.api_secret),
    )
    yield c
    c.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_post_to_a_closed_port_is_unavailable_and_nothing_was_sent(fake_binance, client):
    client.sync_clock()
    closed = BinanceClient(
        base_url=f"http://127.0.0.1:{_free_port()}",
        api_key="k" * 16,
        secret_token=encrypt_secret("s" * 32),
    )
    from egis.venues.binance import client as client_module

    client_module._offsets[closed.base_url] = 0  # the pre-send step is done
    with pytest.raises(VenueUnavailable, match="nothing was sent"):
        closed.signed_post("/fapi/v1/order", ORDER, idempotent=False)


def test_503_after_booking_is_unknown(fake_binance, client):
    fake_binance.fail_next_order(UNKNOWN_503_AFTER_BOOKING)
    with pytest.raises(VenueOutcomeUnknown, match="503"):
        client.signed_post("/fapi/v1/order", ORDER, idempotent=False)


@pytest.mark.parametrize("code", [-1006, -1007])
def test_unknown_codes_are_unknown_whatever_the_http_status(code, fake_binance, client):
    fake_binance.fail_next_order(REJECT, code=code, msg="execution status unknown", http_status=400)
    with pytest.raises(VenueOutcomeUnknown):
        client.signed_post("/fapi/v1/order", ORDER, idempotent=False)


def test_a_coded_4xx_is_a_rejection(fake_binance, client):
    fake_binance.fail_next_order(REJECT, code=-2019, msg="Margin is insufficient.")
    with pytest.raises(VenueRejected) as caught:
        client.signed_post("/fapi/v1/order", ORDER, idempotent=False)
    assert caught.value.code == -2019


def test_unknown_client_order_id_is_order_not_found(fake_binance, client):
    with pytest.raises(OrderNotFound) as caught:
        client.signed_get(
            "/fapi/v1/order", [("symbol", "BNBUSDT"), ("origClientOrderId", "egis-0-none")]
        )
    assert caught.value.code == -2013


def test_clock_skew_on_a_read_is_resynced_and_retried(fake_binance, client):
    client.sync_clock()
    fake_binance.clock_skew_ms = 60_000

    assert client.signed_get("/fapi/v1/positionSide/dual") == {"dualSidePosition": False}

    dual = fake_binance.requests_to("/fapi/v1/positionSide/dual")
    assert len(dual) == 2  # refused once with -1021, then accepted after the sync


def test_clock_skew_on_an_order_is_never_resent(fake_binance, client):
    client.sync_clock()
    fake_binance.clock_skew_ms = 60_000

    with pytest.raises(VenueRejected) as caught:
        client.signed_post("/fapi/v1/order", ORDER, idempotent=False)

    assert caught.value.code == -1021
    assert len(fake_binance.order_posts) == 1
    assert fake_binance.state.orders == {}
    # the clock is re-synced: the next order (a new decision by the user) goes through
    answer = client.signed_post(
        "/fapi/v1/order", [*ORDER, ("newClientOrderId", "egis-1-again")], idempotent=False
    )
    assert answer["status"] == "FILLED"


def test_clock_skew_on_a_setting_is_retried_once(fake_binance, client):
    client.sync_clock()
    fake_binance.clock_skew_ms = -60_000

    answer = client.signed_post(
        "/fapi/v1/leverage", [("symbol", "BNBUSDT"), ("leverage", "3")], idempotent=True
    )

    assert answer["leverage"] == 3
    assert len(fake_binance.requests_to("/fapi/v1/leverage")) == 2


def test_a_wrong_secret_is_refused_by_signature(fake_binance):
    wrong = BinanceClient(
        base_url=fake_binance.base_url,
        api_key=fake_binance.api_key,
        secret_token=encrypt_secret("not-the-secret-0123456789"),
    )
    with pytest.raises(VenueRejected) as caught:
        wrong.signed_get("/fapi/v1/positionSide/dual")
    assert caught.value.code == -1022
    assert "signature" in str(caught.value)
