"""A POST whose outcome is unknown makes the order `unknown`; only a positive lookup settles it,
and no second order ever reaches Binance."""

from decimal import Decimal

import pytest

from egis.execution.lookup import order_lookup_and_settle
from egis.ledger import budget
from egis.ledger.errors import OrderNotBooked
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open
from tests.support.fake_binance import (
    ANSWER_AFTER_BOOKING,
    TIMEOUT_1007_AFTER_BOOKING,
    TIMEOUT_1007_NOT_BOOKED,
    TIMEOUT_AFTER_BOOKING,
    UNKNOWN_503_AFTER_BOOKING,
    RawBody,
)
from tests.support.fake_binance_exchange import MSG_503, MSG_1007

pytestmark = pytest.mark.django_db(transaction=True)


def _open_unknown(bot) -> Order:
    with pytest.raises(OrderNotBooked) as caught:
        order_open(bot_id=bot.pk, side="long", size_usd="100")
    assert caught.value.code == "outcome_unknown"
    assert caught.value.order_status == "unknown"
    order = Order.objects.get(client_order_id=caught.value.client_order_id)
    assert caught.value.client_order_id in str(caught.value)  # the answer names the order
    return order


@pytest.mark.parametrize(
    "fault", [UNKNOWN_503_AFTER_BOOKING, TIMEOUT_AFTER_BOOKING, TIMEOUT_1007_AFTER_BOOKING]
)
def test_unknown_outcome_then_lookup_settles_without_a_second_order(
    fault, binance_bot, fake_binance, settings
):
    if fault == TIMEOUT_AFTER_BOOKING:
        settings.EGIS_BINANCE_TIMEOUT_S = 0.5
    fake_binance.fail_next_order(fault)

    order = _open_unknown(binance_bot)

    assert order.status == "unknown"
    position = Position.objects.get(pk=order.position_id)
    assert position.size_usd == Decimal("100")  # the hold stays reserved while unknown
    assert fake_binance.position_amt("BNBUSDT") == Decimal("0.17")  # Binance did execute

    outcome = order_lookup_and_settle(order.pk)

    assert outcome.action == "settled"
    order.refresh_from_db()
    position.refresh_from_db()
    assert order.status == "filled"
    assert order.executed_qty == Decimal("0.17")
    assert position.size_usd == Decimal("98.6016")
    assert len(fake_binance.order_posts) == 1
    lookups = fake_binance.requests_to("/fapi/v1/order", "GET")
    assert [r.params["origClientOrderId"] for r in lookups] == [order.client_order_id]


def test_not_found_right_after_placing_is_lag_not_proof(binance_bot, fake_binance):
    fake_binance.fail_next_order(TIMEOUT_1007_AFTER_BOOKING)
    order = _open_unknown(binance_bot)
    fake_binance.lookups_not_found(1)

    first = order_lookup_and_settle(order.pk)

    assert first.action == "waiting"
    order.refresh_from_db()
    assert order.status == "unknown"
    assert Position.objects.get(pk=order.position_id).status == "open"

    second = order_lookup_and_settle(order.pk)

    assert second.action == "settled"
    order.refresh_from_db()
    assert order.status == "filled"
    assert len(fake_binance.order_posts) == 1


def test_never_booked_is_released_only_after_repeated_not_found_over_the_grace(
    binance_bot, fake_binance, settings
):
    settings.EGIS_RECOVERY_NOT_FOUND_ATTEMPTS = 2
    settings.EGIS_RECOVERY_NOT_FOUND_GRACE_S = 0
    fake_binance.fail_next_order(TIMEOUT_1007_NOT_BOOKED)
    order = _open_unknown(binance_bot)
    assert budget.get_budget(binance_bot).available_usd == Decimal("0")

    assert order_lookup_and_settle(order.pk).action == "waiting"
    assert order_lookup_and_settle(order.pk).action == "released"

    order.refresh_from_db()
    assert order.status == "failed"
    assert Position.objects.get(pk=order.position_id).status == "cancelled"
    assert budget.get_budget(binance_bot).available_usd == Decimal("100")
    assert len(fake_binance.order_posts) == 1


def test_lookup_of_a_settled_order_changes_nothing(binance_bot, fake_binance):
    result = order_open(bot_id=binance_bot.pk, side="long", size_usd="10")

    outcome = order_lookup_and_settle(result.order.pk)

    assert outcome.action == "already_settled"
    assert fake_binance.requests_to("/fapi/v1/order", "GET") == []


def test_the_recovery_job_settles_an_unknown_binance_order(binance_bot, fake_binance):
    from egis.execution.recovery import recover_in_flight

    fake_binance.fail_next_order(UNKNOWN_503_AFTER_BOOKING)
    order = _open_unknown(binance_bot)

    outcomes = recover_in_flight(timeout_s=0)

    assert [(o.client_order_id, o.action) for o in outcomes] == [(order.client_order_id, "settled")]
    order.refresh_from_db()
    assert order.status == "filled"
    assert len(fake_binance.order_posts) == 1


# Binance USDⓈ-M General Info: "HTTP 408 return code is used when a timeout has occurred while
# waiting for a response from the backend server"; 5xx are Binance's side, 503 can mean the
# request reached the engine; -1006/-1007 say "execution status unknown" in so many words.
UNKNOWN_ANSWERS = [
    pytest.param(408, RawBody(""), id="408-empty"),
    pytest.param(408, RawBody("<html><h1>408 Request Time-out</h1></html>"), id="408-html"),
    pytest.param(
        408, {"code": -1102, "msg": "A mandatory parameter was malformed."}, id="408-1102"
    ),
    pytest.param(408, {"code": -1007, "msg": MSG_1007}, id="408-1007"),
    pytest.param(500, RawBody("Internal Server Error"), id="500-text"),
    pytest.param(502, RawBody("<html>502 Bad Gateway</html>"), id="502-html"),
    pytest.param(503, {"code": -1000, "msg": MSG_503}, id="503-unknown-error"),
    pytest.param(503, RawBody(""), id="503-empty"),
    pytest.param(504, RawBody("<html>504 Gateway Time-out</html>"), id="504-html"),
    pytest.param(
        400,
        {
            "code": -1006,
            "msg": "An unexpected response was received from the "
            "message bus. Execution status unknown.",
        },
        id="400-1006",
    ),
    pytest.param(400, {"code": -1007, "msg": MSG_1007}, id="400-1007"),
]


@pytest.mark.parametrize(("http_status", "body"), UNKNOWN_ANSWERS)
def test_an_answer_that_leaves_the_fate_open_keeps_the_hold_whatever_the_body(
    http_status, body, binance_bot, fake_binance
):
    fake_binance.fail_next_order(ANSWER_AFTER_BOOKING, http_status=http_status, body=body)

    order = _open_unknown(binance_bot)

    position = Position.objects.get(pk=order.position_id)
    assert position.status == "open" and position.size_usd == Decimal("100")  # the hold stays
    assert budget.get_budget(binance_bot).available_usd == Decimal("0")
    assert fake_binance.position_amt("BNBUSDT") == Decimal("0.17")  # Binance did execute
    assert order_lookup_and_settle(order.pk).action == "settled"
    order.refresh_from_db()
    assert order.status == "filled" and order.executed_qty == Decimal("0.17")
    assert len(fake_binance.order_posts) == 1  # never resent


def test_a_plain_refusal_still_releases_the_hold(binance_bot, fake_binance):
    from tests.support.fake_binance import REJECT

    fake_binance.fail_next_order(REJECT, code=-2019, msg="Margin is insufficient.")

    with pytest.raises(OrderNotBooked) as caught:
        order_open(bot_id=binance_bot.pk, side="long", size_usd="100")

    assert caught.value.code == "venue_rejected"
    assert budget.get_budget(binance_bot).available_usd == Decimal("100")


def test_a_lookup_answered_408_is_no_answer_not_a_does_not_exist(binance_bot, fake_binance):
    fake_binance.fail_next_order(TIMEOUT_1007_AFTER_BOOKING)
    order = _open_unknown(binance_bot)
    fake_binance.fail_next_lookup(
        http_status=408, body={"code": -2013, "msg": "Order does not exist."}
    )

    outcome = order_lookup_and_settle(order.pk)

    assert outcome.action == "waiting" and "lookup failed" in outcome.detail
    order.refresh_from_db()
    assert "recovery" not in order.venue_response  # not counted towards "never placed"
    assert order_lookup_and_settle(order.pk).action == "settled"
