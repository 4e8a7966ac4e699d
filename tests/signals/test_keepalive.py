"""egis.signals.keepalive: a hung executor that comes back releases its own claim only.

Found by review: release dropped the hold by signal id, so the first executor, back after its
signal was taken over by another executor of the same process, dropped its successor's
keepalive, and the live claim ran out (0.9 s old against a lease of 0.3 s).
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from egis.signals.keepalive import KEPT_LEASES
from egis.signals.models import Signal, SignalStatus
from egis.signals.processing import signal_process
from tests.execution.support.venues import _Wrapped

pytestmark = pytest.mark.django_db(transaction=True)


class HangingLookup(_Wrapped):
    """The second executor's venue: its lookup of the first executor's order is slow (a lagging
    exchange), until the test lets it go."""

    def __init__(self, bot) -> None:
        super().__init__(bot)
        self.entered = threading.Event()
        self.go = threading.Event()

    def lookup_order(self, *, symbol, client_order_id):
        self.entered.set()
        self.go.wait(timeout=30)
        return super().lookup_order(symbol=symbol, client_order_id=client_order_id)


class HungThenBack(_Wrapped):
    """The first executor hangs at the venue past KEPT_LEASES leases (its claim is let go and a
    sweep in another thread of this process takes the signal over), then comes back."""

    def __init__(self, bot, lease: float, second: HangingLookup) -> None:
        super().__init__(bot)
        self.lease, self.second = lease, second
        self.thread: threading.Thread | None = None

    def place_market_order(self, request):
        time.sleep((KEPT_LEASES + 2) * self.lease)

        def sweep() -> None:
            try:
                signal_process(venue=self.second)
            finally:
                connection.close()

        self.thread = threading.Thread(target=sweep)
        self.thread.start()
        assert self.second.entered.wait(timeout=30)  # the second executor holds the claim now
        return super().place_market_order(request)


def test_a_hung_executor_coming_back_does_not_drop_its_successors_keepalive(
    sender, paper_bot, queue_only, settings
):
    lease = 0.3
    settings.EGIS_SIGNAL_LEASE_S = lease
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "o1"})
    second = HangingLookup(paper_bot)
    first = HungThenBack(paper_bot, lease, second)
    try:
        signal_process(bot_id=paper_bot.pk, venue=first)  # the first executor returns
        signal = Signal.objects.get(sender_id="o1")
        assert signal.status == SignalStatus.EXECUTING  # the second executor still runs it
        assert first.thread is not None and first.thread.is_alive()
        first_claim = signal.claimed_by
        time.sleep(3 * lease)  # the second executor is alive and well, waiting on the venue
        signal.refresh_from_db()
        assert signal.claimed_by == first_claim
        age = timezone.now() - signal.claimed_at
        # Its process keeps its claim renewed (a quarter of a lease apart): never a lease old.
        assert age < timedelta(seconds=lease), age
    finally:
        second.go.set()
        if first.thread is not None:
            first.thread.join(timeout=30)
