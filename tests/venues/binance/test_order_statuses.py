"""Every documented USDⓈ-M order status maps to what it means for the ledger. EXPIRED_IN_MATCH
(expired by the exchange's self-trade prevention) is final: it books what filled at once and
both reconciliation actions accept it."""

from decimal import Decimal

import pytest

from egis.execution.incident_actions import incident_resolve
from egis.execution.lookup import order_lookup_and_settle
from egis.ledger import budget
from egis.ledger.errors import OrderNotBooked
from egis.ledger.incidents import incident_record
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open
from egis.venues.base import VenueOrderStatus
from egis.venues.binance.reports import order_report
from tests.support.fake_binance import TIMEOUT_1007_AFTER_BOOKING

DOCUMENTED = [
    ("NEW", VenueOrderStatus.NEW, False),
    ("PARTIALLY_FILLED", VenueOrderStatus.PARTIALLY_FILLED, False),
    ("FILLED", VenueOrderStatus.FILLED, True),
    ("CANCELED", VenueOrderStatus.CANCELED, True),
    ("REJECTED", VenueOrderStatus.REJECTED, True),
    ("EXPIRED", VenueOrderStatus.EXPIRED, True),
    ("EXPIRED_IN_MATCH", VenueOrderStatus.EXPIRED, True),
]


def _answer(status: str, executed: str = "0") -> dict:
    return {
        "orderId": 8000000001,
        "clientOrderId": "egis-1-abc",
        "status": status,
        "executedQty": executed,
        "cumQuote": "0",
        "avgPrice": "0",
    }


@pytest.mark.parametrize(("binance", "ours", "final"), DOCUMENTED)
def test_each_documented_status_maps_to_its_meaning(binance, ours, final):
    report = order_report(_answer(binance), [])

    assert report.status == ours
    assert report.is_final is final
    assert report.raw["status"] == binance  # what Binance said is kept as it said it


def test_an_undocumented_status_is_not_final_and_is_noted():
    report = order_report(_answer("SOMETHING_NEW"), [])

    assert not report.is_final
    assert "undocumented status" in report.raw["status_note"]


pytestmark_db = pytest.mark.django_db(transaction=True)


@pytestmark_db
def test_expired_in_match_with_nothing_filled_releases_the_hold_at_once(binance_bot, fake_binance):
    fake_binance.fill_ratio = Decimal("0")
    fake_binance.expire_status = "EXPIRED_IN_MATCH"

    result = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")

    order = Order.objects.get(pk=result.order.pk)
    assert order.status == "failed"  # final: not left in flight for recovery
    assert order.venue_response["status"] == "EXPIRED_IN_MATCH"
    assert Position.objects.get(pk=order.position_id).status == "cancelled"
    assert budget.get_budget(binance_bot).available_usd == Decimal("100")


@pytestmark_db
def test_expired_in_match_after_a_partial_fill_books_what_filled(binance_bot, fake_binance):
    fake_binance.fill_ratio = Decimal("0.5")
    fake_binance.expire_status = "EXPIRED_IN_MATCH"

    result = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")

    order = Order.objects.get(pk=result.order.pk)
    assert order.status == "partially_filled"
    assert order.executed_qty == Decimal("0.08")
    assert Position.objects.get(pk=order.position_id).qty == Decimal("0.08")


def _unknown_expired_in_match(bot, fake, fill_ratio: str = "0.5") -> Order:
    fake.fill_ratio = Decimal(fill_ratio)
    fake.expire_status = "EXPIRED_IN_MATCH"
    fake.fail_next_order(TIMEOUT_1007_AFTER_BOOKING)
    with pytest.raises(OrderNotBooked) as caught:
        order_open(bot_id=bot.pk, side="long", size_usd="100")
    return Order.objects.get(client_order_id=caught.value.client_order_id)


@pytestmark_db
def test_a_lookup_that_finds_expired_in_match_settles_the_order(binance_bot, fake_binance):
    order = _unknown_expired_in_match(binance_bot, fake_binance)

    outcome = order_lookup_and_settle(order.pk)

    assert outcome.action == "settled"
    order.refresh_from_db()
    assert order.status == "partially_filled" and order.executed_qty == Decimal("0.08")


@pytestmark_db
@pytest.mark.parametrize(
    ("fill_ratio", "action", "status", "available"),
    [
        ("0.5", "apply-venue-fill", "partially_filled", "53.5993"),
        ("0", "void-order", "failed", "100"),
    ],
)
def test_reconciliation_actions_accept_an_expired_in_match_order(
    fill_ratio, action, status, available, binance_bot, fake_binance, alice
):
    order = _unknown_expired_in_match(binance_bot, fake_binance, fill_ratio)
    incident = incident_record(
        kind="unknown_order",
        bot_id=order.bot_id,
        order_id=order.pk,
        client_order_id=order.client_order_id,
        intent=order.intent,
        payload={"position_id": order.position_id},
        error="outcome unknown",
    )

    incident_resolve(incident_id=incident.pk, action=action, reason="venue shows it", actor=alice)

    order.refresh_from_db()
    assert order.status == status
    assert budget.get_budget(binance_bot).available_usd == Decimal(available)
