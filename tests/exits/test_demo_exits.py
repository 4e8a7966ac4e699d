"""The demo of `make run`: the demo signals bot's opens carry a 1 % take-profit and a 1 %
stop-loss, so a position closes by itself with the reason shown, and the next signal says the
bot is flat (no signal drift)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.cli.commands.demo import demo_seed
from egis.exits.models import Exit
from egis.exits.paper_engine import exits_check
from egis.ledger.models import Incident, Position
from egis.signals.demo import demo_signals_step
from egis.signals.models import Signal
from egis.signals.processing import signal_process

D = Decimal


@pytest.mark.django_db(transaction=True)
def test_a_demo_position_closes_by_itself_and_the_next_signal_sees_flat(
    live_server, paper_filters, set_price
):
    bot_id = demo_seed()["demo_signals_bot_id"]
    set_price("BNBUSDT", "600")
    for n in range(8):
        demo_signals_step(base_url=live_server.url, price=D(600 + n))
    signal_process(bot_id=bot_id)
    position = Position.objects.get(bot_id=bot_id)
    exits = {e.kind: e.trigger_price for e in Exit.objects.filter(position=position)}
    assert exits == {"take_profit": D("606.00"), "stop_loss": D("594.00")}  # 1 % of 600

    set_price("BNBUSDT", "593.5")
    exits_check()
    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "stop_loss")

    for n in range(6):
        demo_signals_step(base_url=live_server.url, price=D(590 - 2 * n))
    signal_process(bot_id=bot_id)
    last = Signal.objects.filter(bot_id=bot_id).order_by("-id").first()
    assert last.action["target"] == "short" and last.action["prev"] == "flat"
    assert last.status == "executed", last.reason
    assert not Incident.objects.exists()
