"""The demo's built-in signal source: a moving-average cross posted over HTTP to the demo
signals bot's own webhook, like any outside sender, and the bot trading on it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.cli.commands.demo import demo_seed
from egis.ledger.models import Position
from egis.signals.demo import demo_signals_step, ma_cross
from egis.signals.models import Signal, SignalHook

D = Decimal


def test_ma_cross_is_exact_and_waits_for_enough_samples():
    assert ma_cross([D(1)] * 7) is None
    assert ma_cross([D(1)] * 8) is None  # equal averages: no opinion
    assert ma_cross([D(n) for n in range(1, 9)]) == "long"
    assert ma_cross([D(n) for n in range(9, 1, -1)]) == "short"
    assert ma_cross([D("1.0")] * 5 + [D("1.0000001")] * 3) == "long"


@pytest.mark.django_db(transaction=True)
def test_the_demo_bot_trades_by_itself_through_its_webhook(live_server, paper_filters, set_price):
    seeded = demo_seed()
    assert demo_seed()["created"] == []  # once
    bot_id = seeded["demo_signals_bot_id"]
    assert SignalHook.objects.filter(bot_id=bot_id, revoked_at__isnull=True).exists()
    set_price("BNBUSDT", "600")

    rising = [D(600 + n) for n in range(8)]
    posted = [demo_signals_step(base_url=live_server.url, price=p) for p in rising]
    assert posted[-1] == "long" and posted[:-1] == [None] * 7
    falling = [D(590 - 2 * n) for n in range(6)]
    posted = [demo_signals_step(base_url=live_server.url, price=p) for p in falling]
    assert "short" in posted

    signals = list(Signal.objects.filter(bot_id=bot_id).order_by("id"))
    assert [(s.action["target"], s.status) for s in signals] == [
        ("long", "executed"),
        ("short", "executed"),
    ], [s.reason for s in signals]
    assert signals[1].action["prev"] == "long"
    positions = Position.objects.filter(bot_id=bot_id).order_by("id")
    assert [(p.side, p.status) for p in positions] == [("long", "closed"), ("short", "open")]
