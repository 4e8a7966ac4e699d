"""A worker killed mid-signal resumes it exactly once.

The kill is injected at the venue, like tests/execution/test_crash_injection.py: the paper venue
executes the order (its fill committed) and the process "dies" before the pipeline hears the
answer (`ProcessKilled`, a BaseException nothing may catch, as nothing runs after a SIGKILL).
The signal is left `executing`, its order `submitting`. Then the real start-up hook of the
worker runs: it resumes the signal, learns the fate of the order from the venue by its client
order id, and finishes the signal without sending any order twice.
"""

from __future__ import annotations

import pytest

from egis.ledger.models import Order, Position
from egis.signals.models import Signal, SignalStatus
from egis.signals.processing import signal_process
from egis.signals.tasks import signals_resume_on_worker_start
from egis.venues.paper.models import PaperFill
from tests.execution.support.venues import ProcessKilled, _Wrapped

pytestmark = pytest.mark.django_db(transaction=True)


class KilledAfterFill(_Wrapped):
    """Fills for real at the paper venue, then dies at call number `at` (1-based)."""

    def __init__(self, bot, *, at: int) -> None:
        super().__init__(bot)
        self.at = at
        self.calls = 0

    def place_market_order(self, request):
        self.calls += 1
        report = self.inner.place_market_order(request)
        if self.calls == self.at:
            raise ProcessKilled("SIGKILL while waiting for the venue's answer")
        return report


def _flip(sender, paper_bot) -> Signal:
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "o1"})
    signal_process(bot_id=paper_bot.pk)  # the long, opened normally
    sender.post({"target": "short", "size_usd": "30", "prev": "long", "id": "flip"})
    return Signal.objects.get(sender_id="flip")


def _assert_flipped_once(paper_bot, flip: Signal) -> None:
    flip.refresh_from_db()
    assert flip.status == SignalStatus.EXECUTED, flip.reason
    orders = list(Order.objects.order_by("id"))
    assert [(o.intent, o.side, o.status) for o in orders] == [
        ("open", "buy", "filled"),
        ("close", "sell", "filled"),
        ("open", "sell", "filled"),
    ]
    # The venue saw each order once: one paper fill per order row, none without one.
    fills = list(PaperFill.objects.values_list("client_order_id", flat=True))
    assert sorted(fills) == sorted(o.client_order_id for o in orders)
    positions = Position.objects.filter(bot=paper_bot).order_by("id")
    assert [(p.side, p.status) for p in positions] == [("long", "closed"), ("short", "open")]


@pytest.mark.parametrize("killed_at", [1, 2], ids=["during-close", "during-open"])
def test_a_worker_killed_mid_signal_resumes_exactly_once(
    sender, paper_bot, queue_only, killed_at, restart_worker
):
    flip = _flip(sender, paper_bot)
    with pytest.raises(ProcessKilled):
        signal_process(venue=KilledAfterFill(paper_bot, at=killed_at))
    flip.refresh_from_db()
    assert flip.status == SignalStatus.EXECUTING
    assert Order.objects.filter(status="submitting").count() == 1

    # Another worker's sweep leaves a claim younger than the lease alone...
    assert signal_process() == []
    # ...and the restarted worker resumes it at start-up.
    restart_worker()
    signals_resume_on_worker_start()
    _assert_flipped_once(paper_bot, flip)

    # Running again changes nothing: the signal is final and its orders are keyed.
    signals_resume_on_worker_start()
    assert signal_process(reclaim_after_s=0) == []
    _assert_flipped_once(paper_bot, flip)


def test_a_claim_older_than_the_lease_is_resumed_by_the_periodic_sweep(
    sender, paper_bot, queue_only, settings
):
    flip = _flip(sender, paper_bot)
    with pytest.raises(ProcessKilled):
        signal_process(venue=KilledAfterFill(paper_bot, at=2))
    settings.EGIS_SIGNAL_LEASE_S = 0
    [resumed] = signal_process()
    assert resumed.pk == flip.pk
    _assert_flipped_once(paper_bot, flip)


def test_killed_after_the_claim_before_any_order_resumes_from_the_start(
    sender, paper_bot, queue_only
):
    flip = _flip(sender, paper_bot)
    # The claim was taken and the process died before the pipeline was called.
    Signal.objects.filter(pk=flip.pk).update(status="executing")
    signals_resume_on_worker_start()
    _assert_flipped_once(paper_bot, flip)
