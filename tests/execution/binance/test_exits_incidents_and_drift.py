"""An exit Binance ends without us (EXPIRED, REJECTED, CANCELED by someone else) is shown loudly
on the exit and raises an incident; the drift check compares the exits the ledger believes are
resting with Binance's open algo orders (missing, unknown, wrong quantity)."""

from decimal import Decimal

import pytest

from egis.bots.models import Bot
from egis.execution.incident_actions import incident_resolve
from egis.execution.incident_base import IncidentError
from egis.exits.binance_recovery import binance_exits_poll
from egis.exits.models import Exit
from egis.ledger.errors import BotNotTradable
from egis.ledger.models import Incident, Order, Position
from egis.ledger.pipeline import order_open
from egis.reconcile.drift import drift_check
from egis.venues.binance.algo import STOP_MARKET, AlgoOrderRequest, BinanceAlgoOrders
from egis.venues.binance.venue import account_client
from tests.support.binance_exits import exits_of, open_long, set_exits

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


@pytest.fixture(autouse=True)
def _journal(journal_path):
    pass


@pytest.mark.parametrize(
    ("binance_status", "exit_status", "words"),
    [
        ("EXPIRED", "expired", "EXPIRED (cancelled by the system)"),
        ("REJECTED", "failed", "REJECTED"),
        ("CANCELED", "expired", "CANCELED, not by Egis"),
    ],
)
def test_an_exit_binance_ended_is_loud_and_raises_an_incident(
    binance_bot, fake_binance, alice, binance_status, exit_status, words
):
    position = open_long(binance_bot)
    stop = set_exits(binance_bot, position, sl="570")["stop_loss"]
    fake_binance.end_algo(stop.client_algo_id, binance_status)

    (step,) = binance_exits_poll().steps
    stop.refresh_from_db()
    assert stop.status == exit_status
    assert stop.error.startswith("stop-loss not active") and words in stop.error
    incident = Incident.objects.get(kind="exit_not_active")
    assert incident.payload["exit_id"] == stop.pk and step.incident_id == incident.pk
    assert not binance_exits_poll().steps  # raised once
    assert Incident.objects.count() == 1
    resolution = incident_resolve(
        incident_id=incident.pk, action="acknowledge", reason="stop set again", actor=alice
    )
    assert resolution.incident.status == "resolved"


def test_a_stop_whose_order_binance_refuses_on_trigger_is_rejected_and_loud(
    binance_bot, fake_binance
):
    position = open_long(binance_bot)
    stop = set_exits(binance_bot, position, sl="570")["stop_loss"]
    fake_binance.set_position("BNBUSDT", "0")  # closed by hand on Binance: nothing to reduce
    fake_binance.set_mark_price("BNBUSDT", "569")
    assert fake_binance.algo_orders[stop.client_algo_id]["algoStatus"] == "REJECTED"
    binance_exits_poll()
    stop.refresh_from_db()
    assert stop.status == "failed"
    assert Incident.objects.filter(kind="exit_not_active").count() == 1
    position.refresh_from_db()
    assert position.status == "open"  # the ledger books nothing Binance did not execute


def test_exits_agree_with_binance_no_drift(binance_bot, second_bot, fake_binance):
    a = open_long(binance_bot)
    b = open_long(second_bot, "50")
    set_exits(binance_bot, a, sl="570", tp="600")
    set_exits(second_bot, b, sl="560")
    report = drift_check()
    (item,) = report.exit_items
    assert (item.status, item.resting) == ("ok", 3)
    assert not report.exit_drift and "exits: 1 checked, 0 drift" in report.summary_line()


def test_an_unknown_open_algo_order_is_drift_and_halts_opens(binance_bot, fake_binance, alice):
    position = open_long(binance_bot)
    set_exits(binance_bot, position, sl="570")
    # Someone places a stop by hand on the same account and symbol.
    algos = BinanceAlgoOrders(account_client(binance_bot.exchange_account))
    algos.place(
        AlgoOrderRequest(
            client_algo_id="by-hand-1",
            symbol="BNBUSDT",
            side="sell",
            order_type=STOP_MARKET,
            quantity=D("0.25"),
            trigger_price=D("500"),
        )
    )
    report = drift_check()
    (item,) = report.exit_drift
    assert [u["client_algo_id"] for u in item.unknown] == ["by-hand-1"]
    assert not item.missing and not item.wrong_quantity
    incident = Incident.objects.get(kind="drift")
    assert incident.payload["check"] == "exits" and incident.payload["unknown"]
    assert Bot.objects.get(pk=binance_bot.pk).halted_reason.startswith("drift: ")
    with pytest.raises(BotNotTradable):
        order_open(bot_id=binance_bot.pk, side="long", size_usd="10")
    drift_check()
    assert Incident.objects.filter(kind="drift").count() == 1  # found again, not duplicated

    with pytest.raises(IncidentError, match="still there"):
        incident_resolve(incident_id=incident.pk, action="acknowledge", reason="seen", actor=alice)
    algos.cancel(symbol="BNBUSDT", client_algo_id="by-hand-1")
    resolution = incident_resolve(
        incident_id=incident.pk, action="acknowledge", reason="cancelled by hand", actor=alice
    )
    assert resolution.halts_lifted == [binance_bot.pk]
    assert not drift_check().exit_drift


def test_an_exit_egis_cancelled_but_still_open_at_binance_is_drift(binance_bot, fake_binance):
    position = open_long(binance_bot)
    stop = set_exits(binance_bot, position, sl="570")["stop_loss"]
    stop.status = "cancelled"  # the ledger believes it gone (a bug, a restored backup...)
    stop.save(update_fields=["status"])
    (item,) = drift_check().exit_drift
    assert [u["client_algo_id"] for u in item.unknown] == [stop.client_algo_id]


def test_a_missing_exit_and_a_wrong_quantity_are_drift(binance_bot, second_bot, fake_binance):
    a = open_long(binance_bot)
    b = open_long(second_bot, "50")
    stop_a = set_exits(binance_bot, a, sl="570")["stop_loss"]
    stop_b = set_exits(second_bot, b, sl="560")["stop_loss"]
    del fake_binance.algo_orders[stop_a.client_algo_id]  # Binance lost it entirely
    fake_binance.algo_orders[stop_b.client_algo_id]["quantity"] = "0.25"  # a close-all size
    (item,) = drift_check().exit_drift
    assert [m["client_algo_id"] for m in item.missing] == [stop_a.client_algo_id]
    assert [(w["client_algo_id"], w["venue_quantity"]) for w in item.wrong_quantity] == [
        (stop_b.client_algo_id, "0.25")
    ]
    assert exits_of(a)["stop_loss"].status == "resting"  # drift never edits the ledger


def test_exits_left_resting_on_a_position_the_ledger_closed_are_cancelled(
    binance_bot, fake_binance, alice
):
    position = open_long(binance_bot)
    stop = set_exits(binance_bot, position, sl="570")["stop_loss"]
    fake_binance.set_position("BNBUSDT", "0")  # closed by hand on the Binance site
    report = drift_check()
    incident = Incident.objects.get(kind="drift")
    assert report.drift
    incident_resolve(
        incident_id=incident.pk,
        action="close-position",
        position_id=position.pk,
        price="580",
        reason="closed by hand on Binance",
        actor=alice,
    )
    assert fake_binance.open_algos()  # the stop still rests at Binance: a stale reduce-only
    binance_exits_poll()
    stop.refresh_from_db()
    assert stop.status == "cancelled" and fake_binance.open_algos() == []


def test_a_fill_that_cannot_be_booked_is_kept_in_an_incident(binance_bot, fake_binance):
    position = open_long(binance_bot)
    stop = set_exits(binance_bot, position, sl="570")["stop_loss"]
    fake_binance.set_mark_price("BNBUSDT", "569")  # fired at Binance
    Position.objects.filter(pk=position.pk).update(status="closed")  # the ledger disagrees
    (step,) = binance_exits_poll().steps
    incident = Incident.objects.get(kind="exit_unbooked")
    assert step.incident_id == incident.pk
    assert incident.payload["executed_qty"] == "0.17" and incident.payload["venue_order_id"]
    assert Exit.objects.get(pk=stop.pk).status == "resting"  # nothing half-booked
    assert not Order.objects.filter(intent="close").exists()
    binance_exits_poll()
    assert Incident.objects.filter(kind="exit_unbooked").count() == 1


def test_an_exit_fired_since_the_last_poll_is_pending_not_drift(binance_bot, fake_binance):
    from egis.exits.binance_drift import account_exit_items

    position = open_long(binance_bot)
    stop = set_exits(binance_bot, position, sl="570", tp="600")["stop_loss"]
    fake_binance.set_mark_price("BNBUSDT", "569")
    (item,) = account_exit_items(binance_bot.exchange_account)
    assert item.status == "ok" and not item.missing
    assert [p["client_algo_id"] for p in item.pending] == [stop.client_algo_id]
    assert Exit.objects.get(pk=stop.pk).status == "resting"  # the check booked nothing
