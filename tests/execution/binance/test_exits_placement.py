"""Binance exits are placed after the entry fill as conditional algo orders: reduce-only with the
bot's own executed quantity (never closePosition), mark price, price protection, our
clientAlgoId written ahead; refusals are loud; unknown outcomes are settled by lookup by
clientAlgoId (recovery), never by a second placement."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from egis.execution.recovery import recover
from egis.exits.binance_recovery import binance_exits_recover
from egis.exits.models import Exit
from egis.ledger.models import Incident
from tests.support.binance_exits import (
    assert_no_conditional_order_on_the_plain_endpoint,
    open_long,
    set_exits,
)
from tests.support.fake_binance import REJECT
from tests.support.fake_binance_algo import ALGO_503_AFTER_BOOKING, ALGO_1007_NOT_BOOKED

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


@pytest.fixture(autouse=True)
def recovery_settings(settings, journal_path):
    settings.EGIS_RECOVERY_TIMEOUT_S = 0
    settings.EGIS_RECOVERY_NOT_FOUND_GRACE_S = 60


def _sent(post):
    skip = ("timestamp", "signature", "recvWindow")
    return {k: v for k, v in post.params.items() if k not in skip}


def test_placed_after_the_fill_with_the_bots_own_quantity_and_reduce_only(
    binance_bot, second_bot, fake_binance
):
    order_b = open_long(second_bot, "50")  # another bot on the same account: 0.08 BNB
    position = open_long(binance_bot, "100")  # 0.17 BNB; the account nets 0.25
    assert fake_binance.position_amt("BNBUSDT") == D("0.25")

    exits = set_exits(binance_bot, position, sl="570", tp="600")

    stop, take = exits["stop_loss"], exits["take_profit"]
    assert (stop.status, take.status) == ("resting", "resting")
    assert stop.quantity == take.quantity == D("0.17")
    posts = {p.params["type"]: _sent(p) for p in fake_binance.algo_posts}
    assert posts["STOP_MARKET"] == {
        "algoType": "CONDITIONAL",
        "symbol": "BNBUSDT",
        "side": "SELL",
        "type": "STOP_MARKET",
        "quantity": "0.17",  # this bot's executed quantity, not the account's 0.25
        "reduceOnly": "true",
        "workingType": "MARK_PRICE",
        "triggerPrice": "570",
        "priceProtect": "TRUE",
        "clientAlgoId": stop.client_algo_id,  # written ahead in the exit row
    }
    assert posts["TAKE_PROFIT_MARKET"]["triggerPrice"] == "600"
    assert posts["TAKE_PROFIT_MARKET"]["clientAlgoId"] == take.client_algo_id
    assert all("closePosition" not in p.params for p in fake_binance.algo_posts)
    open_at_binance = {a["clientAlgoId"]: a for a in fake_binance.open_algos("BNBUSDT")}
    assert stop.venue_algo_id == str(open_at_binance[stop.client_algo_id]["algoId"])
    assert len(fake_binance.order_posts) == 2  # the two opens; the exits never went there
    assert_no_conditional_order_on_the_plain_endpoint(fake_binance)
    assert order_b.qty == D("0.08")


def test_a_short_gets_buy_side_exits(binance_bot, fake_binance):
    from egis.ledger.pipeline import order_open

    position = order_open(bot_id=binance_bot.pk, side="short", size_usd="100").position
    set_exits(binance_bot, position, sl="590", tp="560")
    sides = {p.params["type"]: p.params["side"] for p in fake_binance.algo_posts}
    assert sides == {"STOP_MARKET": "BUY", "TAKE_PROFIT_MARKET": "BUY"}


def test_trailing_stop_is_placed_with_callback_rate_and_activation(binance_bot, fake_binance):
    position = open_long(binance_bot)
    exits = set_exits(binance_bot, position, trail_pct="1.5", activation="590")
    assert exits["trailing_stop"].status == "resting"
    (post,) = fake_binance.algo_posts
    assert (post.params["type"], post.params["callbackRate"], post.params["activatePrice"]) == (
        "TRAILING_STOP_MARKET",
        "1.5",
        "590",
    )
    assert post.params["reduceOnly"] == "true" and post.params["quantity"] == "0.17"


def test_a_refused_exit_is_failed_loudly_with_an_incident(binance_bot, fake_binance):
    position = open_long(binance_bot)
    fake_binance.fail_next_algo(REJECT, code=-2021, msg="Order would immediately trigger.")
    exits = set_exits(binance_bot, position, sl="570")
    stop = exits["stop_loss"]
    assert stop.status == "failed"
    assert "stop-loss not active" in stop.error and "immediately" in stop.error
    incident = Incident.objects.get(kind="exit_not_active")
    assert incident.payload["exit_id"] == stop.pk and incident.bot_id == binance_bot.pk


def test_unknown_placement_is_found_by_client_algo_id_and_never_placed_twice(
    binance_bot, fake_binance
):
    position = open_long(binance_bot)
    fake_binance.fail_next_algo(ALGO_503_AFTER_BOOKING)
    stop = set_exits(binance_bot, position, sl="570")["stop_loss"]
    assert stop.status == "placing" and "outcome unknown" in stop.error

    report = recover()  # the periodic recovery job (and worker start-up)
    assert report.exits is not None
    assert [s.outcome for s in report.exits.steps] == ["resting"]
    stop.refresh_from_db()
    assert stop.status == "resting" and stop.venue_algo_id
    assert len(fake_binance.algo_posts) == 1
    assert binance_exits_recover().checked == 0  # nothing left placing


def test_a_placement_that_never_arrived_is_failed_after_the_grace_period(binance_bot, fake_binance):
    position = open_long(binance_bot)
    fake_binance.fail_next_algo(ALGO_1007_NOT_BOOKED)
    stop = set_exits(binance_bot, position, sl="570")["stop_loss"]
    assert stop.status == "placing"

    (step,) = binance_exits_recover().steps
    assert step.outcome == "not_found"  # maybe lag: not decided yet
    assert Exit.objects.get(pk=stop.pk).status == "placing"

    later = timezone.now() + timedelta(seconds=61)
    (step,) = binance_exits_recover(now=later).steps
    stop.refresh_from_db()
    assert stop.status == "failed" and "never placed" in stop.error
    assert Incident.objects.filter(kind="exit_not_active").count() == 1
    assert len(fake_binance.algo_posts) == 1  # never sent again
    assert fake_binance.open_algos() == []


def test_exits_asked_with_the_open_are_placed_once_it_fills(binance_bot, fake_binance):
    from egis.exits.rules import parse_changes
    from egis.ledger.pipeline import order_open

    result = order_open(
        bot_id=binance_bot.pk,
        side="long",
        size_usd="100",
        exits=parse_changes(stop_loss="1%", take_profit={"price": "600"}),
    )
    exits = {e.kind: e for e in Exit.objects.filter(position_id=result.position.pk)}
    assert {k: e.status for k, e in exits.items()} == {
        "stop_loss": "resting",
        "take_profit": "resting",
    }
    entry = result.position.entry_price
    assert exits["stop_loss"].trigger_price < entry < exits["take_profit"].trigger_price
    assert [p.params["quantity"] for p in fake_binance.algo_posts] == ["0.17", "0.17"]
    # The open went first; the exits only after its fill was booked.
    paths = [(r.method, r.path) for r in fake_binance.requests]
    assert paths.index(("POST", "/fapi/v1/order")) < paths.index(("POST", "/fapi/v1/algoOrder"))
    assert_no_conditional_order_on_the_plain_endpoint(fake_binance)


def test_replacing_a_stop_cancels_the_old_one_at_binance_first(binance_bot, fake_binance):
    from egis.exits.services import exits_clear

    position = open_long(binance_bot)
    old = set_exits(binance_bot, position, sl="570")["stop_loss"]
    new = set_exits(binance_bot, position, sl="565")["stop_loss"]
    old.refresh_from_db()
    assert (old.status, new.status) == ("cancelled", "resting")
    assert [a["clientAlgoId"] for a in fake_binance.open_algos()] == [new.client_algo_id]
    paths = [(r.method, r.path) for r in fake_binance.requests]
    cancel = paths.index(("DELETE", "/fapi/v1/algoOrder"))
    assert cancel < len(paths) - 1 - paths[::-1].index(("POST", "/fapi/v1/algoOrder"))

    exits_clear(bot_id=binance_bot.pk, position_id=position.pk)
    new.refresh_from_db()
    assert new.status == "cancelled" and fake_binance.open_algos() == []


def test_an_exit_that_reaches_binance_after_its_row_was_cancelled_is_removed(
    binance_bot, fake_binance
):
    from egis.exits.binance_rows import default_algos
    from egis.exits.binance_sync import place_one
    from egis.exits.ids import new_client_algo_id

    position = open_long(binance_bot)
    row = Exit.objects.create(
        position=position,
        bot=binance_bot,
        venue="binance_futures",
        symbol="BNBUSDT",
        kind="stop_loss",
        direction="falls",
        trigger_price=D("570"),
        quantity=position.qty,
        client_algo_id=new_client_algo_id(binance_bot.pk),
        status="placing",
    )
    row = Exit.objects.select_related("position", "bot").get(pk=row.pk)
    # A close cancelled it (Binance did not know it yet) while its placement was on the way.
    Exit.objects.filter(pk=row.pk).update(status="cancelled")
    step = place_one(row, default_algos(binance_bot))
    assert step.outcome == "cancelled" and "arrived after" in step.detail
    assert fake_binance.open_algos() == []
    assert Exit.objects.get(pk=row.pk).status == "cancelled"
