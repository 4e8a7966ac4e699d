"""A worker thread that starts while another executes a signal leaves that signal alone.

Huey runs the start-up hooks in every worker thread as it starts, and again in a thread it
starts anew after one died. Found in benchmark 6 (session 8): the worker began while signals
were already queued; its first thread executed one, a second thread's start-up sweep took that
claim over as if its worker had died, looked the order up at the venue before it was sent, and
ended the signal `failed` ("still in flight") while the first thread filled it.
"""

from __future__ import annotations

import pytest

from egis.ledger.models import Order
from egis.signals.models import Signal, SignalStatus
from egis.signals.processing import signal_process
from egis.signals.tasks import signals_resume_on_worker_start
from tests.execution.support.venues import ProcessKilled, _Wrapped
from tests.support.threads import in_another_thread

pytestmark = pytest.mark.django_db(transaction=True)


class AnotherThreadStartsMidCall(_Wrapped):
    """While the order is on its way to the venue, another worker thread of the same process
    starts and runs its start-up hook, as Huey does."""

    def place_market_order(self, request):
        in_another_thread(signals_resume_on_worker_start)
        return self.inner.place_market_order(request)


def test_a_thread_starting_mid_signal_leaves_its_claim_to_the_live_thread(
    sender, paper_bot, queue_only
):
    signals_resume_on_worker_start()  # the process's first thread: nothing to resume yet
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "s1"})

    [done] = signal_process(bot_id=paper_bot.pk, venue=AnotherThreadStartsMidCall(paper_bot))

    signal = Signal.objects.get(sender_id="s1")
    assert done.pk == signal.pk
    assert signal.status == SignalStatus.EXECUTED, signal.reason
    [order] = Order.objects.all()
    assert (order.intent, order.status) == ("open", "filled")
    assert "recovery" not in (order.venue_response or {})  # nobody looked it up as lost


def test_a_claim_from_before_the_process_started_is_still_resumed_once(
    sender, paper_bot, queue_only, restart_worker
):
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "s1"})

    class KilledBeforeTheVenue(_Wrapped):
        def place_market_order(self, request):
            raise ProcessKilled("SIGKILL before the request left")

    with pytest.raises(ProcessKilled):
        signal_process(bot_id=paper_bot.pk, venue=KilledBeforeTheVenue(paper_bot))
    assert Signal.objects.get(sender_id="s1").status == SignalStatus.EXECUTING

    # The restarted process: four threads start, each runs the hook; one sweep resumes it.
    restart_worker()
    for _ in range(4):
        in_another_thread(signals_resume_on_worker_start)

    signal = Signal.objects.get(sender_id="s1")
    assert signal.status == SignalStatus.FAILED  # its order's fate is recovery's to learn
    assert "still in flight" in signal.reason
    assert Order.objects.count() == 1  # never placed twice
