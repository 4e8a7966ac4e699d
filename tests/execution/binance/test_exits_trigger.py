"""A Binance exit fires on the exchange: the worker's poll finds the algo order's actualOrderId,
books that order as the close of exactly its position with the reason (no second order is
sent), and cancels the sibling exits. On an account shared by two bots, bot A's stop never
touches bot B's position or budget."""

from decimal import Decimal

import pytest

from egis.bots.models import Bot
from egis.exits.binance_recovery import binance_exits_poll
from egis.ledger import budget
from egis.ledger.models import Order, Position, PositionEvent
from egis.reconcile.drift import drift_check
from tests.support.binance_exits import (
    assert_no_conditional_order_on_the_plain_endpoint,
    exits_of,
    open_long,
    set_exits,
)

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


@pytest.fixture(autouse=True)
def _journal(journal_path):
    pass


def test_a_stop_that_fires_is_booked_as_the_close_with_its_reason_and_the_tp_is_cancelled(
    binance_bot, fake_binance
):
    position = open_long(binance_bot)
    set_exits(binance_bot, position, sl="570", tp="600")
    assert not binance_exits_poll().steps  # both rest: nothing to do

    fake_binance.set_mark_price("BNBUSDT", "569.50")  # Binance fires the stop
    assert fake_binance.position_amt("BNBUSDT") == 0
    report = binance_exits_poll()
    assert [s.outcome for s in report.steps] == ["fired"]

    position.refresh_from_db()
    assert (position.status, position.close_reason, position.qty) == ("closed", "stop_loss", 0)
    stop = exits_of(position)["stop_loss"]
    take = exits_of(position)["take_profit"]
    assert stop.status == "triggered" and take.status == "cancelled"
    close = Order.objects.get(pk=stop.closing_order_id)
    fired = fake_binance.state.orders[close.client_order_id]  # Binance's own order, booked
    assert (close.intent, close.reduce_only, close.status) == ("close", True, "filled")
    assert close.venue_order_id == str(fired["orderId"])
    assert close.executed_qty == D("0.17") and close.close_reason == "stop_loss"
    assert close.position_id == position.pk and close.fee_usd > 0
    assert position.exit_price == close.avg_price
    # Nothing was sent for the close: one MARKET order (the open), one cancel (the sibling).
    assert len(fake_binance.order_posts) == 1
    (cancel,) = fake_binance.algo_cancels
    assert cancel.params["algoId"] == take.venue_algo_id
    assert fake_binance.open_algos() == []
    assert budget.available(Bot.objects.get(pk=binance_bot.pk)) == D("100")
    assert PositionEvent.objects.filter(position=position, action="exit_triggered").count() == 1
    assert_no_conditional_order_on_the_plain_endpoint(fake_binance)

    assert not binance_exits_poll().steps  # booked once
    assert Order.objects.filter(intent="close").count() == 1


def test_take_profit_fires_and_the_stop_is_cancelled(binance_bot, fake_binance):
    position = open_long(binance_bot)
    set_exits(binance_bot, position, sl="570", tp="600")
    fake_binance.set_mark_price("BNBUSDT", "600.00")
    binance_exits_poll()
    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "take_profit")
    assert position.realized_pnl_usd > 0
    assert exits_of(position)["stop_loss"].status == "cancelled"


def test_a_trailing_stop_follows_the_price_up_then_fires_on_the_way_down(binance_bot, fake_binance):
    position = open_long(binance_bot)
    set_exits(binance_bot, position, trail_pct="1")
    for price in ("585", "595", "592"):  # up 595, back 0.5 %: still resting
        fake_binance.set_mark_price("BNBUSDT", price)
        assert not binance_exits_poll().steps
    fake_binance.set_mark_price("BNBUSDT", "589")  # 1 % below the 595 high
    binance_exits_poll()
    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "trailing_stop")


def test_two_bots_on_one_netted_account_a_stop_of_bot_a_leaves_bot_b_untouched(
    binance_bot, second_bot, fake_binance
):
    a = open_long(binance_bot, "100")  # 0.17
    b = open_long(second_bot, "50")  # 0.08; Binance holds one netted 0.25
    set_exits(binance_bot, a, sl="575", tp="600")
    set_exits(second_bot, b, sl="550")
    b_before = Position.objects.get(pk=b.pk)
    budget_b = budget.available(Bot.objects.get(pk=second_bot.pk))

    fake_binance.set_mark_price("BNBUSDT", "574.90")  # only bot A's stop is crossed
    binance_exits_poll()

    assert Position.objects.get(pk=a.pk).status == "closed"
    b_after = Position.objects.get(pk=b.pk)
    assert (b_after.status, b_after.qty, b_after.size_usd) == (
        "open",
        b_before.qty,
        b_before.size_usd,
    )
    assert budget.available(Bot.objects.get(pk=second_bot.pk)) == budget_b
    assert fake_binance.position_amt("BNBUSDT") == D("0.08")  # bot B's share, intact
    assert exits_of(b)["stop_loss"].status == "resting"  # bot B still protected
    assert [a["clientAlgoId"] for a in fake_binance.open_algos()] == [
        exits_of(b)["stop_loss"].client_algo_id
    ]  # bot A's take-profit is gone: it cannot fire on bot B's share
    report = drift_check()
    assert not report.drift and not report.exit_drift


def test_a_partial_fill_of_the_fired_order_resizes_the_sibling(binance_bot, fake_binance):
    position = open_long(binance_bot)  # 0.17
    set_exits(binance_bot, position, sl="570", tp="600")
    first_stop = exits_of(position)["stop_loss"]
    fake_binance.fill_ratio = D("0.6")  # the stop's MARKET order fills 0.10 of 0.17
    fake_binance.set_mark_price("BNBUSDT", "569")
    fake_binance.fill_ratio = D(1)
    fake_binance.set_mark_price("BNBUSDT", "571")  # back above the stop
    binance_exits_poll()

    position.refresh_from_db()
    assert (position.status, position.qty) == ("open", D("0.07"))
    assert position.close_reason == ""
    first_stop.refresh_from_db()
    assert first_stop.status == "triggered"
    exits = exits_of(position)
    take, stop = exits["take_profit"], exits["stop_loss"]  # placed again for what is left
    assert (take.status, take.quantity) == ("resting", D("0.07"))
    assert (stop.status, stop.quantity) == ("resting", D("0.07"))
    assert stop.pk != first_stop.pk
    resting = {a["clientAlgoId"]: a["quantity"] for a in fake_binance.open_algos()}
    assert resting == {take.client_algo_id: "0.07", stop.client_algo_id: "0.07"}
    assert fake_binance.position_amt("BNBUSDT") == D("0.07")
