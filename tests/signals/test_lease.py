"""A signal that runs longer than its lease is not taken over while its executor lives.

A claim older than EGIS_SIGNAL_LEASE_S is taken for a dead worker's by the periodic sweep
(signals_periodic). A signal with several orders (a close of every open position, each close
first cancelling its exits on Binance, each call up to EGIS_BINANCE_TIMEOUT_S) can outlast the
lease while its worker is alive and well. The sweep then took it over between two of its
orders, looked the live executor's next order up at the venue before it was sent, and ended
the signal `failed` while that order filled. The executor now renews its claim before each
further order, and a taken-over executor neither finishes the signal nor runs the next one.

"The first order took longer than the lease" is written into the claim (its time moved back)
while that order is at the venue; the sweep is the real one, run in another thread.

A single order can outlast the lease too (a lagging exchange): the worker process renews the
claims it holds while their orders are at the venue (egis.signals.keepalive), tested in real
time with a lease of seconds, and lets go of an executor stuck for several leases.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open
from egis.signals.keepalive import KEPT_LEASES
from egis.signals.models import Signal, SignalStatus
from egis.signals.processing import signal_process
from egis.venues.paper.models import PaperFill
from tests.execution.support.venues import ProcessKilled, _Wrapped
from tests.support.threads import errors_in_another_thread, in_another_thread

pytestmark = pytest.mark.django_db(transaction=True)


def _sweep_in_another_thread() -> list[Signal]:
    done: list[Signal] = []
    in_another_thread(lambda: done.extend(signal_process()))  # signals_periodic's work
    return done


class SlowFirstOrder(_Wrapped):
    """The first order outlasts the lease; the periodic sweep runs during the second."""

    def __init__(self, bot, settings) -> None:
        super().__init__(bot)
        self.settings, self.calls, self.swept = settings, 0, None

    def place_market_order(self, request):
        self.calls += 1
        if self.calls == 1:
            past = timedelta(seconds=self.settings.EGIS_SIGNAL_LEASE_S + 60)
            signal = Signal.objects.get(sender_id="c1")
            Signal.objects.filter(pk=signal.pk).update(claimed_at=signal.claimed_at - past)
        if self.calls == 2:
            self.swept = _sweep_in_another_thread()
        return super().place_market_order(request)


def test_a_signal_outlasting_its_lease_is_not_taken_over_while_it_runs(
    sender, paper_bot, queue_only, settings
):
    for _ in range(2):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    sender.post({"action": "close", "id": "c1"})

    venue = SlowFirstOrder(paper_bot, settings)
    [done] = signal_process(bot_id=paper_bot.pk, venue=venue)

    assert venue.swept == []  # the sweep found the signal in the hands of a live executor
    signal = Signal.objects.get(sender_id="c1")
    assert done.pk == signal.pk
    assert signal.status == SignalStatus.EXECUTED, signal.reason
    closes = list(Order.objects.filter(intent="close").order_by("id"))
    assert [o.status for o in closes] == ["filled", "filled"]
    assert all("recovery" not in (o.venue_response or {}) for o in closes)
    assert PaperFill.objects.count() == 4  # two opens, two closes, each sent once
    assert set(Position.objects.values_list("status", flat=True)) == {"closed"}


class KilledWhileResuming(_Wrapped):
    """The sweep's worker: it takes the claim over, then dies looking the first order up."""

    def lookup_order(self, *, symbol, client_order_id):
        raise ProcessKilled("SIGKILL while looking the order up")


class SlowOnlyOrder(_Wrapped):
    """The signal's one order outlasts the lease: the sweep takes the claim over meanwhile (and
    its worker dies), then the order fills and the first executor goes on."""

    def __init__(self, bot, settings) -> None:
        super().__init__(bot)
        self.bot, self.settings = bot, settings

    def place_market_order(self, request):
        past = timedelta(seconds=self.settings.EGIS_SIGNAL_LEASE_S + 60)
        signal = Signal.objects.get(sender_id="o1")
        Signal.objects.filter(pk=signal.pk).update(claimed_at=signal.claimed_at - past)
        # ProcessKilled: that worker is gone
        errors = errors_in_another_thread(
            lambda: signal_process(venue=KilledWhileResuming(self.bot))
        )
        assert [type(e) for e in errors] == [ProcessKilled]
        return super().place_market_order(request)


def test_an_executor_whose_claim_was_taken_over_neither_finishes_it_nor_runs_the_next(
    sender, paper_bot, queue_only, settings
):
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "o1"})
    sender.post({"action": "close", "id": "c2"})
    signal_process(bot_id=paper_bot.pk, venue=SlowOnlyOrder(paper_bot, settings))

    first, second = Signal.objects.get(sender_id="o1"), Signal.objects.get(sender_id="c2")
    # The claim is the sweep's worker's now: the first executor left the signal to it, and did
    # not run the bot's next signal while another executor held this one.
    assert first.status == SignalStatus.EXECUTING
    assert second.status == SignalStatus.QUEUED
    [order] = Order.objects.all()
    assert (order.intent, order.status) == ("open", "filled")

    # That worker is dead: its lease runs out and the sweep finishes both, in order, once.
    settings.EGIS_SIGNAL_LEASE_S = 0
    signal_process()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (SignalStatus.EXECUTED, SignalStatus.EXECUTED)
    assert [(o.intent, o.status) for o in Order.objects.order_by("id")] == [
        ("open", "filled"),
        ("close", "filled"),
    ]
    assert PaperFill.objects.count() == 2


class OrderAtTheVenue(_Wrapped):
    """The signal's one order stays at the venue for `seconds` (a lagging exchange), in real
    time; then a sweep runs, as signals_periodic would, with a worker that dies if it resumes."""

    def __init__(self, bot, seconds: float) -> None:
        super().__init__(bot)
        self.bot, self.seconds = bot, seconds
        self.errors: list[BaseException] = []
        self.swept: list[Signal] = []

    def place_market_order(self, request):
        time.sleep(self.seconds)
        # ProcessKilled: the sweep took the claim over
        self.errors = errors_in_another_thread(
            lambda: self.swept.extend(signal_process(venue=KilledWhileResuming(self.bot)))
        )
        return super().place_market_order(request)


def test_a_single_order_outlasting_the_lease_keeps_its_claim(
    sender, paper_bot, queue_only, settings
):
    # Before: the claim was only renewed between orders, so one slow order let the sweep take
    # a live executor's signal over and look its order up while it was being sent.
    settings.EGIS_SIGNAL_LEASE_S = 2
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "o1"})
    venue = OrderAtTheVenue(paper_bot, seconds=2 * settings.EGIS_SIGNAL_LEASE_S)

    [done] = signal_process(bot_id=paper_bot.pk, venue=venue)

    assert (venue.swept, venue.errors) == ([], [])  # the claim was its live executor's
    assert done.status == SignalStatus.EXECUTED, done.reason
    [order] = Order.objects.all()
    assert (order.intent, order.status) == ("open", "filled")
    assert "recovery" not in (order.venue_response or {})
    assert PaperFill.objects.count() == 1


def test_an_executor_stuck_for_several_leases_is_no_longer_kept_alive(
    sender, paper_bot, queue_only, settings
):
    # A hung executor in a live process must not hold the bot's signals forever: after
    # KEPT_LEASES leases without progress its claim runs out like a dead worker's.
    settings.EGIS_SIGNAL_LEASE_S = 0.2
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "o1"})
    stuck_for = (KEPT_LEASES + 6) * settings.EGIS_SIGNAL_LEASE_S
    venue = OrderAtTheVenue(paper_bot, seconds=stuck_for)

    signal_process(bot_id=paper_bot.pk, venue=venue)

    assert [type(e) for e in venue.errors] == [ProcessKilled]  # the sweep took it over
    signal = Signal.objects.get(sender_id="o1")
    assert signal.status == SignalStatus.EXECUTING  # left to its new executor (dead here)
