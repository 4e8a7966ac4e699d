"""A worker killed mid-signal still leaves the exits the signal asked for on its position.

An open signal carries its exits (take-profit, stop-loss); they are set on the position once the
open's fill is booked. A worker SIGKILLed after the venue filled the open but before the exits
were written left the position open with no stop at all: the resumed signal found its open
already placed, skipped it, and ended `executed`, so nothing ever set them and nothing said so.
The kill is injected as in tests/signals/test_crash_resume.py.
"""

from __future__ import annotations

import pytest

from egis.exits.models import Exit
from egis.ledger.models import Order, Position
from egis.signals.models import Signal, SignalStatus
from egis.signals.processing import signal_process
from egis.signals.tasks import signals_resume_on_worker_start
from egis.venues.paper.models import PaperFill
from tests.execution.support.venues import ProcessKilled, _Wrapped

pytestmark = pytest.mark.django_db(transaction=True)


class KilledAfterFill(_Wrapped):
    """Fills for real at the paper venue, then dies before the pipeline hears the answer."""

    def place_market_order(self, request):
        self.inner.place_market_order(request)
        raise ProcessKilled("SIGKILL while waiting for the venue's answer")


BODY = {"size_usd": "20", "take_profit": "1%", "stop_loss": "1%", "id": "s1"}


@pytest.mark.parametrize(
    "action", [{"action": "open", "side": "long"}, {"target": "long"}], ids=["open", "target"]
)
def test_a_signal_killed_after_its_open_filled_still_sets_its_exits(
    sender, paper_bot, queue_only, restart_worker, action
):
    assert sender.post({**action, **BODY}).status_code == 202
    with pytest.raises(ProcessKilled):
        signal_process(bot_id=paper_bot.pk, venue=KilledAfterFill(paper_bot))
    assert not Exit.objects.exists()

    restart_worker()
    signals_resume_on_worker_start()

    signal = Signal.objects.get(sender_id="s1")
    assert signal.status == SignalStatus.EXECUTED, signal.reason
    [order] = Order.objects.all()
    assert (order.intent, order.status) == ("open", "filled")
    assert PaperFill.objects.count() == 1  # sent once
    position = Position.objects.get()
    assert position.status == "open"
    kinds = sorted(
        Exit.objects.filter(position=position, status="resting").values_list("kind", flat=True)
    )
    assert kinds == ["stop_loss", "take_profit"]

    # Resumed again (a second restart): nothing more is set, nothing is replaced.
    restart_worker()
    signals_resume_on_worker_start()
    assert Exit.objects.count() == 2
