"""A signal that opens can carry its exits: they are read by the exits' grammar on receipt and
set on the position the open makes; the position later closes by itself with the reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.core.inputs import InputError
from egis.exits.models import Exit
from egis.exits.paper_engine import exits_check
from egis.ledger.models import Position
from egis.signals.models import Signal, SignalStatus
from egis.signals.payload import parse_signal
from egis.signals.processing import signal_process

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_payload_reads_exits_and_keeps_them_through_storage():
    from egis.signals.payload import action_from_json

    action = parse_signal(
        {
            "target": "long",
            "size_usd": "20",
            "take_profit": "1%",
            "stop_loss": {"price": "2900.5"},
            "trailing_stop": {"callback_pct": "1"},
        }
    )
    assert action.exits == {
        "take_profit": {"pct": "1"},
        "stop_loss": {"price": "2900.5"},
        "trailing_stop": {"callback_pct": "1"},
    }
    again = action_from_json(action.as_json())
    assert again.exit_changes() == action.exit_changes()
    assert again.exit_changes()["stop_loss"].price == Decimal("2900.5")


@pytest.mark.parametrize(
    "body",
    [
        {"action": "close", "stop_loss": "1%"},
        {"target": "flat", "take_profit": "1%"},
        {"action": "open", "side": "long", "size_usd": "20", "stop_loss": "1e3"},
        {"action": "open", "side": "long", "size_usd": "20", "take_profit": {"pct": "x"}},
        {"action": "open", "side": "long", "size_usd": "20", "trailing_stop": "99"},
    ],
)
def test_bad_exits_are_malformed_on_receipt(body):
    with pytest.raises(InputError):  # a clear refusal (422 at the webhook)
        parse_signal(body)


def test_a_signal_open_with_exits_closes_by_itself(sender, paper_bot, set_price):
    answer = sender.post(
        {"action": "open", "side": "long", "size_usd": "20", "take_profit": "1%", "stop_loss": "1%"}
    )
    assert answer.status_code == 202, answer.content
    signal_process(bot_id=paper_bot.pk)
    position = Position.objects.get()
    assert Exit.objects.filter(position=position, status="resting").count() == 2
    set_price("ETHUSDT", "2970")
    exits_check()
    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "take_profit")


def test_an_exit_that_no_longer_fits_the_price_rejects_the_signal(sender, paper_bot):
    answer = sender.post(
        {"action": "open", "side": "long", "size_usd": "20", "stop_loss": {"price": "3000"}}
    )
    assert answer.status_code == 202
    signal_process(bot_id=paper_bot.pk)
    signal = Signal.objects.get()
    assert signal.status == SignalStatus.REJECTED
    assert "stop-loss must be below the current price" in signal.reason
    assert not Position.objects.exists()


def test_prev_naming_the_position_an_exit_closed_is_not_signal_drift(sender, paper_bot, set_price):
    """A TradingView strategy does not see Egis's stop fire: its next alert still says
    prev=long. The bot is flat because of its own exit, so the alert is executed, no incident,
    no halt. A prev that nothing explains is still drift."""
    from egis.ledger.models import Incident

    first = {"target": "long", "size_usd": "20", "stop_loss": "1%", "id": "a1"}
    assert sender.post(first).status_code == 202
    signal_process(bot_id=paper_bot.pk)
    set_price("ETHUSDT", "2880")
    exits_check()
    assert Position.objects.get().close_reason == "stop_loss"

    assert (
        sender.post({"target": "short", "size_usd": "20", "prev": "long", "id": "a2"}).status_code
        == 202
    )
    signal_process(bot_id=paper_bot.pk)
    assert Signal.objects.get(sender_id="a2").status == SignalStatus.EXECUTED
    assert not Incident.objects.exists()
    assert Position.objects.filter(status="open", side="short").count() == 1

    # Now short and open: a sender that believes the bot is flat missed something.
    assert (
        sender.post({"target": "long", "size_usd": "20", "prev": "flat", "id": "a3"}).status_code
        == 202
    )
    signal_process(bot_id=paper_bot.pk)
    drifted = Signal.objects.get(sender_id="a3")
    assert drifted.reason_code == "signal_drift"
    assert Incident.objects.get().kind == "signal_drift"
    # Drift halts opens, not closes: the short is closed, the long is not opened.
    assert drifted.reason.startswith("partly: close position #")
    assert not Position.objects.filter(status="open").exists()
