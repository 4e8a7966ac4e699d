"""The bot's on/off switch decides for every queued signal, whichever hook received it.

Found by review: the worker checked the switch of the hook a signal came through. After a
rotation (a leaked secret: a stranger's signal already queued), switching signals off changed
the new hook only, and the queued signal opened a position. Rotating a switched-off hook also
switched signals back on.
"""

from __future__ import annotations

import pytest

from egis.ledger.models import Order
from egis.signals.hooks import hook_revoke, hook_rotate, hook_set_enabled
from egis.signals.models import Signal, SignalStatus
from egis.signals.processing import signal_process
from egis.signals.selectors import live_hook

pytestmark = pytest.mark.django_db(transaction=True)

OPEN = {"action": "open", "side": "long", "size_usd": "20", "id": "x1"}


def test_switching_off_after_a_rotation_stops_the_signals_queued_before_it(
    sender, paper_bot, queue_only
):
    assert sender.post(OPEN).status_code == 202
    hook_rotate(bot_id=paper_bot.pk)
    hook_set_enabled(bot_id=paper_bot.pk, enabled=False)
    signal_process(bot_id=paper_bot.pk)
    signal = Signal.objects.get()
    assert (signal.status, signal.reason) == (
        SignalStatus.REJECTED,
        "signals are switched off for this bot",
    )
    assert not Order.objects.exists()


def test_a_signal_queued_before_a_rotation_still_runs_while_signals_are_on(
    sender, paper_bot, queue_only
):
    # It was authenticated when it arrived; the rotation stops the old URL, not what it sent.
    assert sender.post(OPEN).status_code == 202
    hook_rotate(bot_id=paper_bot.pk)
    signal_process(bot_id=paper_bot.pk)
    assert Signal.objects.get().status == SignalStatus.EXECUTED
    assert Order.objects.count() == 1


def test_a_revoked_webhook_stops_the_signals_queued_before_it(sender, paper_bot, queue_only):
    assert sender.post(OPEN).status_code == 202
    hook_revoke(bot_id=paper_bot.pk)
    signal_process(bot_id=paper_bot.pk)
    signal = Signal.objects.get()
    assert (signal.status, signal.reason, signal.reason_code) == (
        SignalStatus.REJECTED,
        "the bot's webhook was revoked",
        "hook_revoked",
    )
    assert not Order.objects.exists()


def test_rotating_a_switched_off_webhook_keeps_signals_off(paper_bot, issued):
    hook_set_enabled(bot_id=paper_bot.pk, enabled=False)
    rotated = hook_rotate(bot_id=paper_bot.pk)
    assert rotated.hook.enabled is False
    assert live_hook(paper_bot.pk).enabled is False
