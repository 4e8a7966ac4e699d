"""Open and close through the real pipeline and the real adapter, against the fake Binance."""

from decimal import Decimal

import pytest

from egis.ledger import budget
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_close, order_open

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_dollars_on_a_coarse_step_executes_less_and_books_the_executed_size(
    binance_bot, fake_binance
):
    result = order_open(bot_id=binance_bot.pk, side="long", size_usd="10")

    order = Order.objects.get(pk=result.order.pk)
    position = Position.objects.get(pk=result.position.pk)
    # 10 / (580 x 1.001) = 0.0172... rounded down to the 0.01 step
    sent = fake_binance.order_posts[0].params
    assert sent["quantity"] == "0.01"
    assert sent["type"] == "MARKET"
    assert sent["newOrderRespType"] == "RESULT"
    assert sent["newClientOrderId"] == order.client_order_id
    assert "reduceOnly" not in sent
    assert order.status == "filled"
    assert order.executed_qty == Decimal("0.01")
    assert position.requested_size_usd == Decimal("10")
    assert position.size_usd == Decimal("5.8")
    assert position.size_usd == position.qty * position.entry_price
    assert budget.get_budget(binance_bot).available_usd == Decimal("94.2")


def test_a_fill_in_several_trades_books_the_exact_notional_and_fees(binance_bot, fake_binance):
    result = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")

    order = Order.objects.get(pk=result.order.pk)
    # 0.17 BNB in three trades: 0.06 @ 580.00, 0.06 @ 580.01, 0.05 @ 580.02
    assert order.executed_qty == Decimal("0.17")
    assert order.cum_quote_usd == Decimal("98.6016")
    assert order.venue_response["trades"] == 3
    assert order.fee_usd == Decimal("0.0493008")
    position = Position.objects.get(pk=result.position.pk)
    assert position.size_usd == Decimal("98.6016")
    assert position.fees_usd == Decimal("0.0493008")


def test_every_close_is_reduce_only_with_the_position_quantity(binance_bot, fake_binance):
    opened = order_open(bot_id=binance_bot.pk, side="long", size_usd="50")
    closed = order_close(bot_id=binance_bot.pk, position_id=opened.position.pk)

    close_request = fake_binance.order_posts[-1].params
    assert close_request["reduceOnly"] == "true"
    assert close_request["side"] == "SELL"
    assert close_request["quantity"] == "0.08"
    assert Position.objects.get(pk=closed.position.pk).status == "closed"
    assert fake_binance.position_amt("BNBUSDT") == 0
    assert budget.get_budget(binance_bot).available_usd == Decimal("100")


def test_a_short_closes_with_a_reduce_only_buy(binance_bot, fake_binance):
    opened = order_open(bot_id=binance_bot.pk, side="short", size_usd="30")
    order_close(bot_id=binance_bot.pk, position_id=opened.position.pk)

    opening, closing = (r.params for r in fake_binance.order_posts)
    assert (opening["side"], "reduceOnly" in opening) == ("SELL", False)
    assert (closing["side"], closing["reduceOnly"]) == ("BUY", "true")
    assert fake_binance.position_amt("BNBUSDT") == 0


def test_leverage_is_set_once_per_bot_before_its_first_order(binance_bot, fake_binance):
    order_open(bot_id=binance_bot.pk, side="long", size_usd="10")
    order_open(bot_id=binance_bot.pk, side="long", size_usd="10")

    leverage_posts = fake_binance.requests_to("/fapi/v1/leverage", "POST")
    assert [r.params["leverage"] for r in leverage_posts] == ["5"]
    first_leverage = fake_binance.requests.index(leverage_posts[0])
    first_order = fake_binance.requests.index(fake_binance.order_posts[0])
    assert first_leverage < first_order
    binance_bot.refresh_from_db()
    assert binance_bot.leverage_applied is True


def test_a_partial_market_fill_books_only_what_filled(binance_bot, fake_binance):
    fake_binance.fill_ratio = Decimal("0.5")

    result = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")

    order = Order.objects.get(pk=result.order.pk)
    assert (order.requested_qty, order.executed_qty) == (Decimal("0.17"), Decimal("0.08"))
    assert order.status == "partially_filled"
    assert order.venue_response["status"] == "EXPIRED"
    position = Position.objects.get(pk=result.position.pk)
    assert position.qty == Decimal("0.08")
    assert position.size_usd == order.cum_quote_usd
    assert fake_binance.position_amt("BNBUSDT") == Decimal("0.08")


def test_rules_come_from_exchange_info_once_then_from_the_cache(binance_bot, fake_binance):
    order_open(bot_id=binance_bot.pk, side="long", size_usd="10")
    order_open(bot_id=binance_bot.pk, side="long", size_usd="10")

    assert len(fake_binance.requests_to("/fapi/v1/exchangeInfo")) == 1


def test_stale_rules_are_refreshed_from_exchange_info(binance_bot, fake_binance):
    from datetime import timedelta

    from django.utils import timezone

    from egis.venues.models import SymbolFilter

    order_open(bot_id=binance_bot.pk, side="long", size_usd="10")
    SymbolFilter.objects.filter(symbol="BNBUSDT", venue_key__startswith="binance").update(
        updated_at=timezone.now() - timedelta(days=2)
    )
    fake_binance.set_filter("BNBUSDT", step_size="0.001", min_qty="0.001")

    order_open(bot_id=binance_bot.pk, side="long", size_usd="10")

    assert len(fake_binance.requests_to("/fapi/v1/exchangeInfo")) == 2
    assert fake_binance.order_posts[-1].params["quantity"] == "0.017"
