"""The exits' catch-up runs when a worker process starts, not whenever one of its threads does.

Huey runs every start-up hook in each worker thread as it starts, and again in a thread it
starts anew after one died (huey.consumer.Worker.initialize; egis.ops.worker_start). The
catch-up closes an exit found crossed and audits it as caught up at start-up. Run by a thread
starting while its process had been up and watching prices, it closed an exit the price had only
just crossed under that line (then "crossed while the worker was down"): an audit line that said
something false.
"""

from __future__ import annotations

import pytest

from egis.exits.rules import parse_changes
from egis.exits.tasks import exits_catch_up_on_worker_start
from egis.ledger.models import PositionEvent
from egis.ledger.pipeline import order_open
from egis.ops import worker_start
from tests.support.threads import in_another_thread

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_worker_process(monkeypatch):
    monkeypatch.setattr(worker_start, "_start", worker_start._ProcessStart())


def _thread_starts() -> None:
    in_another_thread(exits_catch_up_on_worker_start)


def test_a_thread_starting_in_a_running_worker_does_not_catch_up_as_if_it_was_down(
    paper_bot, set_price
):
    exits_catch_up_on_worker_start()  # the process's first thread: nothing crossed
    position = order_open(
        bot_id=paper_bot.pk, side="long", size_usd="20", exits=parse_changes(take_profit="3000")
    ).position

    set_price("ETHUSDT", "3020")  # crossed now, while the worker runs (its tick evaluates it)
    _thread_starts()  # Huey starts a thread anew

    position.refresh_from_db()
    assert position.status == "open"
    assert not PositionEvent.objects.filter(reason__contains="caught up at start-up").exists()


def test_the_catch_up_still_runs_once_when_the_process_starts(paper_bot, set_price):
    position = order_open(
        bot_id=paper_bot.pk, side="long", size_usd="20", exits=parse_changes(take_profit="3000")
    ).position
    set_price("ETHUSDT", "3020")  # while no worker watched

    for _ in range(4):  # the process starts with four threads
        _thread_starts()

    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "take_profit")
    [event] = PositionEvent.objects.filter(position=position, action="exit_triggered")
    assert "caught up at start-up" in event.reason


def test_the_catch_up_line_says_what_is_known_not_that_a_worker_was_down(paper_bot, set_price):
    """With several consumers, one may start while another is ticking prices: the start-up
    line says the exit was found crossed when a worker started, never that the worker was down
    (which the starting process cannot know)."""
    position = order_open(
        bot_id=paper_bot.pk, side="long", size_usd="20", exits=parse_changes(take_profit="3000")
    ).position
    set_price("ETHUSDT", "3020")
    _thread_starts()
    [event] = PositionEvent.objects.filter(position=position, action="exit_triggered")
    assert "found crossed when a worker started" in event.reason
    assert "down" not in event.reason
