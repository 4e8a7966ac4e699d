"""Two bots on one Binance account and symbol: each closes only its own quantity."""

from decimal import Decimal

import pytest

from egis.ledger.errors import NettingConflict, OrderNotBooked
from egis.ledger.models import Incident, Position
from egis.ledger.pipeline import order_close, order_open

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_bot_closes_only_its_own_quantity(binance_bot, second_bot, fake_binance):
    first = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")  # 0.17
    second = order_open(bot_id=second_bot.pk, side="long", size_usd="50")  # 0.08
    assert fake_binance.position_amt("BNBUSDT") == Decimal("0.25")

    order_close(bot_id=binance_bot.pk, position_id=first.position.pk)

    close = fake_binance.order_posts[-1].params
    assert (close["quantity"], close["reduceOnly"]) == ("0.17", "true")
    assert fake_binance.position_amt("BNBUSDT") == Decimal("0.08")
    assert Position.objects.get(pk=second.position.pk).status == "open"

    order_close(bot_id=second_bot.pk, position_id=second.position.pk)

    close = fake_binance.order_posts[-1].params
    assert (close["quantity"], close["reduceOnly"]) == ("0.08", "true")
    assert fake_binance.position_amt("BNBUSDT") == 0


def test_a_bot_cannot_close_another_bots_position(binance_bot, second_bot, fake_binance):
    first = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    posts = len(fake_binance.order_posts)

    with pytest.raises(Exception, match="does not belong"):
        order_close(bot_id=second_bot.pk, position_id=first.position.pk)

    assert len(fake_binance.order_posts) == posts


def test_opposite_side_on_a_shared_account_is_refused_before_any_call(
    binance_bot, second_bot, fake_binance
):
    order_open(bot_id=binance_bot.pk, side="long", size_usd="50")
    posts = len(fake_binance.order_posts)

    with pytest.raises(NettingConflict):
        order_open(bot_id=second_bot.pk, side="short", size_usd="50")

    assert len(fake_binance.order_posts) == posts


def test_close_refused_by_binance_is_drift_and_keeps_the_position(binance_bot, fake_binance):
    opened = order_open(bot_id=binance_bot.pk, side="long", size_usd="50")
    fake_binance.set_position("BNBUSDT", "0")  # someone closed it by hand on Binance

    with pytest.raises(OrderNotBooked) as caught:
        order_close(bot_id=binance_bot.pk, position_id=opened.position.pk)

    assert "-2022" in str(caught.value)
    assert "reduce-only" in str(caught.value)
    incident = Incident.objects.get(pk=caught.value.incident_id)
    assert incident.kind == "venue_refused_close"
    position = Position.objects.get(pk=opened.position.pk)
    assert position.status == "open"
    assert position.closing_order_id is None
