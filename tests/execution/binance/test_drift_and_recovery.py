"""Binance: drift judged per account + symbol after a mirror sync; recovery by lookup against the
fake Binance server (lag is not proof; a never-placed order is released after the grace period)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from egis.bots.models import Bot
from egis.execution.incident_actions import incident_resolve
from egis.execution.recovery import recover, recover_in_flight
from egis.ledger import budget
from egis.ledger.errors import BotNotTradable, OrderNotBooked
from egis.ledger.models import Incident, Order, Position
from egis.ledger.pipeline import order_close, order_open
from egis.reconcile.drift import drift_check
from egis.venues.models import ExchangePosition
from tests.support.fake_binance import TIMEOUT_1007_AFTER_BOOKING, TIMEOUT_1007_NOT_BOOKED

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def recovery_settings(settings, journal_path):
    settings.EGIS_RECOVERY_TIMEOUT_S = 0
    settings.EGIS_RECOVERY_NOT_FOUND_ATTEMPTS = 3
    settings.EGIS_RECOVERY_NOT_FOUND_GRACE_S = 60


def test_shared_account_is_judged_on_the_sum_of_its_bots(
    binance_bot, second_bot, fake_binance, alice
):
    first = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")  # 0.17
    order_open(bot_id=second_bot.pk, side="long", size_usd="50")  # 0.08
    report = drift_check()
    (item,) = report.items
    assert (item.status, item.ledger_qty, item.venue_qty) == (
        "ok",
        Decimal("0.25"),
        Decimal("0.25"),
    )
    assert item.bot_ids == [binance_bot.pk, second_bot.pk]
    assert ExchangePosition.objects.get().position_amt == Decimal("0.25")  # synced first

    # Someone closed 0.17 on the exchange by hand.
    fake_binance.set_position("BNBUSDT", "0.08", "580")
    report = drift_check(bot_id=second_bot.pk)
    (item,) = report.drift
    assert (item.ledger_qty, item.venue_qty) == (Decimal("0.25"), Decimal("0.08"))
    assert item.scope == f"binance_futures:account:{binance_bot.exchange_account_id}"
    incident = Incident.objects.get()
    assert sorted(incident.payload["bot_ids"]) == [binance_bot.pk, second_bot.pk]
    for bot in (binance_bot, second_bot):
        assert Bot.objects.get(pk=bot.pk).halted_reason.startswith("drift: ")
    with pytest.raises(BotNotTradable):
        order_open(bot_id=second_bot.pk, side="long", size_usd="10")
    drift_check()
    assert Incident.objects.count() == 1  # a repeated check does not duplicate

    # The ledger follows what happened: bot 1's position is closed at the stated price.
    resolution = incident_resolve(
        incident_id=incident.pk,
        action="close-position",
        position_id=first.position.pk,
        price="581.5",
        reason="closed by hand on the exchange UI",
        actor=alice,
    )
    assert sorted(resolution.halts_lifted) == [binance_bot.pk, second_bot.pk]
    assert Position.objects.get(pk=first.position.pk).status == "closed"
    assert not drift_check().drift


def test_a_position_the_exchange_lost_is_drift_and_closes_still_go_out(binance_bot, fake_binance):
    opened = order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    fake_binance.set_position("BNBUSDT", "0")
    assert drift_check().drift
    assert Bot.objects.get(pk=binance_bot.pk).is_halted
    # A close is still sent (reduce-only): Binance refuses it (-2022), itself an incident.
    with pytest.raises(OrderNotBooked):
        order_close(bot_id=binance_bot.pk, position_id=opened.position.pk)
    assert Incident.objects.filter(kind="venue_refused_close").count() == 1


def test_in_flight_orders_wait_for_recovery_before_being_judged(binance_bot, fake_binance):
    fake_binance.fail_next_order(TIMEOUT_1007_AFTER_BOOKING)
    with pytest.raises(OrderNotBooked):
        order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    (item,) = drift_check().items
    assert item.status == "in_flight"
    assert Incident.objects.count() == 0

    report = recover()
    assert [o.action for o in report.outcomes] == ["settled"]
    assert [i.status for i in drift_check().items] == ["ok"]
    assert len(fake_binance.order_posts) == 1


def test_lag_then_found_is_settled_never_released(binance_bot, fake_binance):
    fake_binance.fail_next_order(TIMEOUT_1007_AFTER_BOOKING)
    with pytest.raises(OrderNotBooked):
        order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    fake_binance.lookups_not_found(3)
    start = timezone.now()
    for _ in range(3):
        (outcome,) = recover_in_flight(now=start)
        assert outcome.action == "waiting"
    (outcome,) = recover_in_flight(now=start + timedelta(seconds=61))
    assert outcome.action == "settled"
    order = Order.objects.get()
    assert order.status == "filled" and order.executed_qty == Decimal("0.17")
    assert len(fake_binance.order_posts) == 1


def test_never_placed_is_released_after_repeated_answers_over_the_grace_period(
    binance_bot, fake_binance
):
    fake_binance.fail_next_order(TIMEOUT_1007_NOT_BOOKED)
    with pytest.raises(OrderNotBooked):
        order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    start = timezone.now()
    (first,) = recover_in_flight(now=start)
    (early,) = recover_in_flight(now=start + timedelta(seconds=61))
    assert (first.action, early.action) == ("waiting", "waiting")  # 2 answers of 3
    (last,) = recover_in_flight(now=start + timedelta(seconds=62))
    assert last.action == "released"
    assert budget.get_budget(binance_bot).available_usd == Decimal("100")
    assert len(fake_binance.order_posts) == 1  # recovery never re-sends
    assert fake_binance.position_amt("BNBUSDT") == 0
