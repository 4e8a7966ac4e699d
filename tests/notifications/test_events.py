"""Each event kind reaches Bob's Telegram chat and his webhook exactly once, caused by the real
code where the event happens (the pipeline, incidents, drift, signals, the risk limit)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from egis.execution.incident_actions import incident_resolve
from egis.ledger.errors import OrderNotBooked
from egis.ledger.incidents import incident_record
from egis.ledger.notices import exit_triggered_notice
from egis.ledger.pipeline import order_close, order_open
from egis.notifications import events
from egis.notifications.models import Delivery
from egis.notifications.services import notify, notify_settings_update
from egis.signals.hooks import hook_create
from egis.signals.processing import signal_process
from tests.notifications.conftest import drain, verify_signature
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)


def _webhook_events(receiver) -> Counter:
    return Counter(r.json()["event"] for r in receiver.received)


def test_every_event_kind_is_delivered_once_on_both_channels(
    queue_only, bob_channels, telegram, receiver, paper_bot, alice, set_price
):
    from tests.signals.conftest import Sender

    bot = paper_bot
    bot.daily_loss_limit_usd = Decimal("0.01")
    bot.save()
    # fill (open, then close at a loss: the daily loss limit is hit by that close)
    opened = order_open(bot_id=bot.pk, side="long", size_usd="10")
    set_price("ETHUSDT", "2900.00")
    order_close(bot_id=bot.pk, position_id=opened.position.pk)
    # order not booked: the venue's answer never arrives (outcome unknown)
    set_price("ETHUSDT", "2934.56")
    bot.daily_loss_limit_usd = None
    bot.save()
    lost = RecordingPaperVenue(bot, raise_after_fill=TimeoutError("read timed out"))
    with pytest.raises(OrderNotBooked):
        order_open(bot_id=bot.pk, side="long", size_usd="10", venue=lost)
    # an incident (not drift)
    incident_record(kind="unknown_order", bot_id=bot.pk, error="order fate unknown")
    # exit triggered: the exits engine (another branch) calls this where an exit fires
    exit_triggered_notice(
        bot_id=bot.pk, position_id=7, exit_id=3, exit_kind="stop-loss", trigger_price="2900.5"
    )
    exit_triggered_notice(bot_id=bot.pk, position_id=7, exit_id=3, exit_kind="stop-loss")
    # a signal rejected at receipt (wrong symbol), and a missed alert: signal drift, which
    # rejects that signal too, opens a drift incident and halts the bot; then resolved: resumed
    sender = Sender(hook_create(bot_id=bot.pk))
    sender.post({"action": "open", "side": "long", "size_usd": "10", "symbol": "BTCUSDT"})
    sender.post({"target": "short", "size_usd": "10", "prev": "short", "id": "t1"})
    signal_process(bot_id=bot.pk)
    drift = bot.incidents.get(kind="signal_drift")
    incident_resolve(incident_id=drift.pk, action="acknowledge", reason="fixed", actor=alice)

    rounds = drain()

    expected = Counter(
        {
            events.FILL: 2,
            events.DAILY_LOSS_LIMIT: 1,
            events.ORDER_NOT_BOOKED: 1,
            events.INCIDENT_OPENED: 1,
            events.EXIT_TRIGGERED: 1,
            events.SIGNAL_REJECTED: 2,
            events.DRIFT_FOUND: 1,
            events.BOT_HALTED: 2,  # halted, then resumed
        }
    )
    assert set(expected) == set(events.EVENT_KINDS)
    assert _webhook_events(receiver) == expected
    assert len(telegram.messages) == sum(expected.values())
    assert rounds >= sum(expected.values())  # one Telegram message per chat per second
    assert Delivery.objects.exclude(status="sent").count() == 0
    for request in receiver.received:
        assert verify_signature(bob_channels, request.headers["X-Egis-Signature"], request.body)
    texts = "\n".join(telegram.texts())
    assert "open long filled" in texts and "(requested $10.00)" in texts
    assert "close long filled" in texts and "realized -$" in texts
    assert "daily loss limit $0.01 hit" in texts
    assert "halted for new opens" in texts and "resumed" in texts
    assert "stop-loss exit triggered on position #7 at 2900.5" in texts
    assert all(m.chat_id == 424242 for m in telegram.messages)


def test_the_fill_tells_executed_against_requested(queue_only, bob_channels, receiver, paper_bot):
    result = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    drain()
    [body] = [r.json() for r in receiver.received]
    assert body["event"] == "fill" and body["bot_id"] == paper_bot.pk
    data = body["data"]
    assert data["intent"] == "open" and data["side"] == "long"
    assert data["requested_usd"] == "10.00"
    assert Decimal(data["size_usd"]) == result.position.size_usd
    assert data["client_order_id"] == result.order.client_order_id
    assert body["text"].startswith("Egis · Bob ETH (ETHUSDT): open long filled")


def test_only_the_chosen_events_are_told(queue_only, bob, bob_channels, receiver, paper_bot):
    notify_settings_update(user=bob, events_chosen=["incident_opened"])
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    incident_record(kind="unknown_order", bot_id=paper_bot.pk, error="?")
    drain()
    assert _webhook_events(receiver) == Counter({"incident_opened": 1})


def test_another_users_bot_tells_bob_nothing(
    queue_only, bob_channels, receiver, charlie, set_price
):
    from egis.bots.services import bot_create

    bot = bot_create(owner=charlie, name="C", venue="paper", symbol="ETHUSDT", budget_usd="50")
    incident_record(kind="unknown_order", bot_id=bot.pk, error="?")
    assert Delivery.objects.count() == 0


def test_an_event_rolled_back_is_never_told(queue_only, bob_channels, paper_bot):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(events.EXIT_TRIGGERED, bot=paper_bot, payload={"position_id": 1})
        raise RuntimeError("the caller's transaction fails")
    assert Delivery.objects.count() == 0


def test_a_dedupe_key_tells_an_event_once(queue_only, bob_channels, paper_bot):
    for _ in range(3):
        notify(events.EXIT_TRIGGERED, bot=paper_bot, payload={}, dedupe_key="exit:9")
    assert Delivery.objects.count() == 2  # one per channel


def test_a_paper_stop_loss_that_fires_tells_its_owner_once(
    queue_only, bob_channels, receiver, paper_bot, set_price
):
    """The real trigger engine, not a direct notice: the stop-loss crosses, the position closes,
    and the webhook hears one exit_triggered (a second check of the same price tells nothing)."""
    from egis.exits.paper_engine import exits_check
    from egis.exits.rules import parse_changes

    set_price("ETHUSDT", "3000")
    order_open(
        bot_id=paper_bot.pk, side="long", size_usd="20", exits=parse_changes(stop_loss="2900")
    )
    set_price("ETHUSDT", "2850")
    assert len(exits_check().fired) == 1
    assert exits_check().fired == []
    drain()
    told = [r.json() for r in receiver.received if r.json()["event"] == events.EXIT_TRIGGERED]
    assert len(told) == 1
    assert told[0]["data"]["exit_kind"] == "stop_loss"
    assert Decimal(told[0]["data"]["trigger_price"]) == Decimal("2900")
