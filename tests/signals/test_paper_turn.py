"""Paper signals execute one at a time in a worker process (egis.signals.paper_turn):
the worker's threads wait on exchanges, and a paper fill waits on nothing. Two worker threads
draining two paper bots at once never have two paper orders at the venue together, and both
signals still execute."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from django.db import connection

from egis.bots.services import bot_create
from egis.ledger.models import Position
from egis.signals.hooks import hook_create
from egis.signals.models import Signal, SignalStatus
from egis.signals.paper_turn import paper_turn, turn_is_free
from egis.signals.processing import signal_process
from egis.venues.paper.venue import PaperVenue

from .conftest import Sender

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_threads_never_fill_two_paper_orders_at_once(paper_bot, bob, queue_only, monkeypatch):
    other = bot_create(
        owner=bob, name="Bob ETH 2", venue="paper", symbol="ETHUSDT", budget_usd="100.00"
    )
    bots = [paper_bot, other]
    for bot in bots:
        answer = Sender(hook_create(bot_id=bot.pk)).post(
            {"action": "open", "side": "long", "size_usd": "20"}
        )
        assert answer.status_code == 202, answer.content

    at_venue = 0
    most_at_once = 0
    count_lock = threading.Lock()
    real_place = PaperVenue.place_market_order

    def place_watched(self: PaperVenue, *args: Any, **kwargs: Any) -> Any:
        # The real fill, watched: how many threads are inside at once. The pause gives the other
        # thread every chance to come in if nothing keeps it out.
        nonlocal at_venue, most_at_once
        with count_lock:
            at_venue += 1
            most_at_once = max(most_at_once, at_venue)
        try:
            time.sleep(0.05)
            return real_place(self, *args, **kwargs)
        finally:
            with count_lock:
                at_venue -= 1

    monkeypatch.setattr(PaperVenue, "place_market_order", place_watched)
    start = threading.Barrier(len(bots))
    errors: list[BaseException] = []

    def drain(bot_id: int) -> None:
        try:
            start.wait()
            signal_process(bot_id=bot_id)
        except BaseException as exc:  # a failure of the test, reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=drain, args=(bot.pk,)) for bot in bots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors, errors
    assert most_at_once == 1
    assert sorted(Signal.objects.values_list("status", flat=True)) == [SignalStatus.EXECUTED] * 2
    assert Position.objects.filter(bot__in=bots).count() == 2


def test_a_forked_child_does_not_inherit_a_turn_held_at_the_fork():
    with paper_turn():  # a thread of the parent is filling a paper order
        assert not turn_is_free()
        pid = os.fork()
        if pid == 0:
            code = 3
            try:
                code = 0 if turn_is_free() else 1
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert turn_is_free()
