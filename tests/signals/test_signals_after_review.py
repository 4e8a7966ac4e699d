"""Signals after drift, busy positions and a revoked webhook (found by review, each failed before).

- a position still opening was reported as "already closing";
- a signal queued through a revoked webhook ran once the owner created a new one;
- a drift signal resumed after a kill, or meeting a close in flight, did not say drift.
"""

from __future__ import annotations

import pytest

from egis.ledger.errors import OrderNotBooked
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open
from egis.signals.hooks import hook_create, hook_revoke
from egis.signals.models import Signal, SignalStatus
from egis.signals.processing import signal_process
from tests.execution.support.venues import LostRequestVenue

pytestmark = pytest.mark.django_db(transaction=True)


def _opening_in_flight(paper_bot) -> Position:
    """An open whose request timed out: a hold, qty 0, its open order unknown (not a close)."""
    with pytest.raises(OrderNotBooked):
        order_open(
            bot_id=paper_bot.pk, side="long", size_usd="20", venue=LostRequestVenue(paper_bot)
        )
    hold = Position.objects.get()
    assert (hold.status, hold.qty, hold.closing_order_id) == ("open", 0, None)
    assert Order.objects.get().intent == "open"
    return hold


def test_a_close_signal_on_a_position_still_opening_does_not_say_a_close_is_in_flight(
    sender, paper_bot, queue_only
):
    _opening_in_flight(paper_bot)
    assert sender.post({"action": "close", "id": "c1"}).status_code == 202
    signal_process(bot_id=paper_bot.pk)
    signal = Signal.objects.get()
    assert signal.status == SignalStatus.REJECTED
    assert not Order.objects.filter(intent="close").exists()  # no close order exists at all
    # What the owner reads must not claim a close that was never sent.
    assert "close in flight" not in signal.reason, signal.reason
    assert signal.reason_code != "already_closing", signal.reason


def test_a_flip_next_to_an_opening_hold_says_what_blocks_it(sender, paper_bot, queue_only):
    _opening_in_flight(paper_bot)
    sender.post({"target": "short", "size_usd": "20", "id": "t1"})
    signal_process(bot_id=paper_bot.pk)
    signal = Signal.objects.get()
    assert not Position.objects.filter(side="short").exists()  # safe: nothing opened
    assert "already closing" not in signal.reason, signal.reason


def test_a_signal_queued_through_a_revoked_hook_never_runs_after_a_new_hook(
    sender, paper_bot, queue_only
):
    # A leaked secret: the stranger's signal is queued; the owner revokes the webhook, then
    # creates a new one for their own alerts before the worker gets to the queue.
    open_ = {"action": "open", "side": "long", "size_usd": "20", "id": "x1"}
    assert sender.post(open_).status_code == 202
    hook_revoke(bot_id=paper_bot.pk)
    hook_create(bot_id=paper_bot.pk)
    signal_process(bot_id=paper_bot.pk)
    signal = Signal.objects.get()
    assert not Order.objects.exists(), signal.reason
    assert signal.status == SignalStatus.REJECTED


def test_a_drift_signal_resumed_after_a_kill_still_says_drift(
    sender, paper_bot, queue_only, restart_worker
):
    from egis.signals.tasks import signals_resume_on_worker_start
    from tests.execution.support.venues import ProcessKilled
    from tests.signals.test_crash_resume import KilledAfterFill

    held = order_open(bot_id=paper_bot.pk, side="long", size_usd="20").position
    sender.post({"target": "flat", "prev": "short", "id": "t1"})  # out of step: drift
    with pytest.raises(ProcessKilled):
        signal_process(venue=KilledAfterFill(paper_bot, at=1))  # dies during the close
    restart_worker()
    signals_resume_on_worker_start()

    signal = Signal.objects.get()
    assert Position.objects.get(pk=held.pk).status == "closed"
    # What the first run would have said (tests/signals/test_closes_under_drift_and_busy.py):
    # executed "partly: close ...; then signal drift: ..." with the code signal_drift.
    assert signal.status == SignalStatus.EXECUTED
    assert (signal.reason_code, "signal drift" in signal.reason) == ("signal_drift", True), (
        signal.reason
    )


def test_a_drift_signal_meeting_a_close_in_flight_still_says_drift(sender, paper_bot, queue_only):
    from egis.ledger.models import Incident
    from egis.ledger.pipeline import order_close

    held = order_open(bot_id=paper_bot.pk, side="long", size_usd="20").position
    with pytest.raises(OrderNotBooked):
        order_close(bot_id=paper_bot.pk, position_id=held.pk, venue=LostRequestVenue(paper_bot))
    sender.post({"target": "flat", "prev": "short", "id": "t1"})  # out of step: drift
    signal_process(bot_id=paper_bot.pk)

    signal = Signal.objects.get()
    incident = Incident.objects.get(kind="signal_drift")  # this signal raised it and halted
    assert incident.payload["signal_id"] == signal.pk
    assert "signal drift" in signal.reason, signal.reason
