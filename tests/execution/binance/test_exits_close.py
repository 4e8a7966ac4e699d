"""Before Egis closes a Binance position itself, it cancels the position's exits and waits for
Binance to confirm: a cancel whose outcome is unknown blocks the close (an incident says why),
because a stale reduce-only stop would otherwise fire on another bot's share of the netted
position. An exit found fired meanwhile is booked as the close it was; nothing else is sent."""

from decimal import Decimal

import pytest

from egis.exits.binance_recovery import binance_exits_poll
from egis.exits.binance_rows import PositionClosedByExit
from egis.exits.errors import ExitCancelUnknown
from egis.ledger.models import Incident, Order, Position
from egis.ledger.pipeline import order_close
from tests.support.binance_exits import exits_of, open_long, set_exits
from tests.support.fake_binance_algo import (
    CANCEL_503_AFTER_CANCELLING,
    CANCEL_503_NOT_CANCELLED,
)

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


@pytest.fixture(autouse=True)
def _journal(journal_path):
    pass


def test_a_manual_close_cancels_the_exits_first(binance_bot, fake_binance):
    position = open_long(binance_bot)
    set_exits(binance_bot, position, sl="570", tp="600")
    start = len(fake_binance.requests)

    order_close(bot_id=binance_bot.pk, position_id=position.pk)

    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "manual")
    exits = exits_of(position)
    assert exits["stop_loss"].status == exits["take_profit"].status == "cancelled"
    after = [(r.method, r.path) for r in fake_binance.requests[start:]]
    cancels = [i for i, r in enumerate(after) if r == ("DELETE", "/fapi/v1/algoOrder")]
    close = after.index(("POST", "/fapi/v1/order"))
    assert len(cancels) == 2 and max(cancels) < close  # both confirmed before the close
    assert fake_binance.open_algos() == [] and fake_binance.position_amt("BNBUSDT") == 0


def test_an_unknown_cancel_blocks_the_close_with_an_incident(binance_bot, fake_binance):
    position = open_long(binance_bot)
    exits = set_exits(binance_bot, position, sl="570")
    fake_binance.fail_next_algo_cancel(CANCEL_503_NOT_CANCELLED)

    with pytest.raises(ExitCancelUnknown) as info:
        order_close(bot_id=binance_bot.pk, position_id=position.pk)

    assert "could not confirm the cancel" in info.value.message
    assert "another bot's share" in info.value.message
    incident = Incident.objects.get(kind="exit_cancel_unknown")
    assert f"incident #{incident.pk}" in info.value.message
    assert incident.payload["exit_id"] == exits["stop_loss"].pk
    assert len(fake_binance.order_posts) == 1  # the open only: no close was sent
    position.refresh_from_db()
    assert (position.status, position.closing_order_id) == ("open", None)
    assert exits_of(position)["stop_loss"].status == "resting"

    # The next attempt gets a clear answer: the exit is cancelled, the close goes out, and the
    # incident is closed as decided.
    order_close(bot_id=binance_bot.pk, position_id=position.pk)
    assert Position.objects.get(pk=position.pk).status == "closed"
    incident.refresh_from_db()
    assert (incident.status, incident.resolution) == ("resolved", "decided")


def test_a_cancel_answered_503_but_done_is_confirmed_by_lookup_and_the_close_goes_out(
    binance_bot, fake_binance
):
    position = open_long(binance_bot)
    set_exits(binance_bot, position, sl="570")
    fake_binance.fail_next_algo_cancel(CANCEL_503_AFTER_CANCELLING)
    order_close(bot_id=binance_bot.pk, position_id=position.pk)
    assert Position.objects.get(pk=position.pk).status == "closed"
    assert exits_of(position)["stop_loss"].status == "cancelled"
    assert not Incident.objects.exists()


def test_a_stop_that_fired_before_the_close_is_booked_and_nothing_else_is_sent(
    binance_bot, fake_binance
):
    position = open_long(binance_bot)
    set_exits(binance_bot, position, sl="570", tp="600")
    fake_binance.set_mark_price("BNBUSDT", "569")  # fired at Binance, not polled yet

    with pytest.raises(PositionClosedByExit):
        order_close(bot_id=binance_bot.pk, position_id=position.pk)

    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "stop_loss")
    assert len(fake_binance.order_posts) == 1  # the open only
    assert Order.objects.filter(intent="close").count() == 1  # Binance's stop order, booked
    assert exits_of(position)["take_profit"].status == "cancelled"
    assert fake_binance.open_algos() == []
    assert not binance_exits_poll().steps


def test_closing_one_bot_never_cancels_another_bots_exits(binance_bot, second_bot, fake_binance):
    a = open_long(binance_bot, "100")
    b = open_long(second_bot, "50")
    set_exits(binance_bot, a, sl="570")
    set_exits(second_bot, b, sl="560")
    order_close(bot_id=binance_bot.pk, position_id=a.pk)
    assert exits_of(b)["stop_loss"].status == "resting"
    (left,) = fake_binance.open_algos()
    assert left["clientAlgoId"] == exits_of(b)["stop_loss"].client_algo_id
    assert fake_binance.position_amt("BNBUSDT") == D("0.08")


def test_a_close_that_fills_in_part_leaves_the_rest_protected(binance_bot, fake_binance):
    position = open_long(binance_bot)  # 0.17
    set_exits(binance_bot, position, sl="570", tp="600")
    fake_binance.fill_ratio = D("0.5")  # the close fills 0.08 of 0.17
    order_close(bot_id=binance_bot.pk, position_id=position.pk)
    fake_binance.fill_ratio = D(1)
    position.refresh_from_db()
    assert (position.status, position.qty) == ("open", D("0.09"))
    assert fake_binance.open_algos() == []  # cancelled for the close

    binance_exits_poll()
    exits = exits_of(position)
    assert {k: (e.status, e.quantity) for k, e in exits.items()} == {
        "stop_loss": ("resting", D("0.09")),
        "take_profit": ("resting", D("0.09")),
    }
    assert sorted(a["quantity"] for a in fake_binance.open_algos()) == ["0.09", "0.09"]
    binance_exits_poll()
    assert len(fake_binance.open_algos()) == 2  # placed again once


def test_a_close_binance_refuses_leaves_the_exits_in_place(binance_bot, fake_binance):
    from egis.ledger.errors import OrderNotBooked
    from tests.support.fake_binance import REJECT

    position = open_long(binance_bot)
    set_exits(binance_bot, position, sl="570")
    fake_binance.fail_next_order(REJECT, code=-1008, msg="Server is currently overloaded.")
    with pytest.raises(OrderNotBooked):
        order_close(bot_id=binance_bot.pk, position_id=position.pk)
    assert Position.objects.get(pk=position.pk).status == "open"

    binance_exits_poll()
    stop = exits_of(position)["stop_loss"]
    assert (stop.status, stop.quantity) == ("resting", D("0.17"))
    assert [a["clientAlgoId"] for a in fake_binance.open_algos()] == [stop.client_algo_id]


def test_cleared_exits_are_not_placed_again(binance_bot, fake_binance):
    from egis.exits.services import exits_clear

    position = open_long(binance_bot)
    set_exits(binance_bot, position, sl="570")
    exits_clear(bot_id=binance_bot.pk, position_id=position.pk)
    binance_exits_poll()
    assert fake_binance.open_algos() == []
    assert exits_of(position)["stop_loss"].status == "cancelled"
