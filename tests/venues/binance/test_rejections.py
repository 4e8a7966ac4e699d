"""Coded refusals become a clear message, the order `rejected` and the hold released."""

from decimal import Decimal

import pytest

from egis.ledger import budget
from egis.ledger.errors import OrderNotBooked, VenueNotReady
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open
from egis.venues.models import SymbolFilter
from tests.support.fake_binance import REJECT

pytestmark = pytest.mark.django_db(transaction=True)


def _rejected(bot, size="10") -> OrderNotBooked:
    before = budget.get_budget(bot).available_usd
    with pytest.raises(OrderNotBooked) as caught:
        order_open(bot_id=bot.pk, side="long", size_usd=size)
    error = caught.value
    assert error.code == "venue_rejected"
    order = Order.objects.get(client_order_id=error.client_order_id)
    assert order.status == "rejected"
    assert Position.objects.get(pk=order.position_id).status == "cancelled"
    assert budget.get_budget(bot).available_usd == before  # the hold is released
    return error


def test_min_notional_raised_since_the_rules_were_cached(binance_bot, fake_binance):
    order_open(bot_id=binance_bot.pk, side="long", size_usd="10")  # caches the rules
    fake_binance.set_filter("BNBUSDT", min_notional="100")

    error = _rejected(binance_bot)

    assert "-4164" in str(error)
    assert "minimum notional" in str(error)


def test_margin_insufficient(binance_bot, fake_binance):
    fake_binance.balance = Decimal("1")

    error = _rejected(binance_bot)

    assert "-2019" in str(error)
    assert "margin is insufficient" in str(error).lower()


@pytest.mark.parametrize(
    ("code", "msg", "hint"),
    [
        (-1111, "Precision is over the maximum defined for this asset.", "precision"),
        (-4004, "Quantity less than min quantity.", "minimum quantity"),
        (-4023, "Qty not increased by step size.", "step size"),
        (-2022, "ReduceOnly Order is rejected.", "reduce-only"),
    ],
)
def test_coded_refusals_read_clearly(code, msg, hint, binance_bot, fake_binance):
    fake_binance.fail_next_order(REJECT, code=code, msg=msg)

    error = _rejected(binance_bot)

    assert f"code {code}" in str(error)
    assert hint in str(error)


def test_rules_below_the_minimum_are_refused_before_any_call(binance_bot, fake_binance):
    fake_binance.set_mark_price("BNBUSDT", "400")  # $5 buys 0.01 = $4 < the $5 minimum

    with pytest.raises(Exception, match="minimum notional"):
        order_open(bot_id=binance_bot.pk, side="long", size_usd="5")

    assert fake_binance.order_posts == []
    row = SymbolFilter.objects.get(venue_key__startswith="binance_futures:", symbol="BNBUSDT")
    assert (row.step_size, row.min_notional) == (Decimal("0.01"), Decimal("5"))


def test_connection_refused_means_nothing_was_placed(binance_bot, fake_binance):
    order_open(bot_id=binance_bot.pk, side="long", size_usd="10")  # rules cached, clock synced
    fake_binance.stop()

    with pytest.raises((OrderNotBooked, VenueNotReady)) as caught:
        order_open(bot_id=binance_bot.pk, side="long", size_usd="10")

    assert "connect" in str(caught.value).lower() or "did not answer" in str(caught.value)
    assert Position.objects.filter(bot=binance_bot, status="open").count() == 1
