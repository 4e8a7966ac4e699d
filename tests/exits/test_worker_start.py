"""The exits' catch-up runs when a worker process starts, not whenever one of its threads does.

Huey runs every start-up hook in each worker thread as it starts, and again in a thread it
starts anew after one died (huey.consumer.Worker.initialize; egis.ops.worker_start). The
catch-up closes an exit found crossed and audits it as "crossed while the worker was down". Run
by a thread starting while its process had been up and watching prices, it closed an exit the
price had only just crossed under that line: an audit line that says something false.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from egis.exits.rules import parse_changes
from egis.exits.tasks import exits_catch_up_on_worker_start
from egis.ledger.models import PositionEvent
from egis.ledger.pipeline import order_open
from egis.ops import worker_start
from egis.ops.models import PeriodicRun
from egis.ops.periodic import GUARDED_TASKS, consumer_name, period_start
from egis.venues.tasks import PRICE_TICKS_TASK
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
    down = "crossed while the worker was down"
    assert not PositionEvent.objects.filter(reason__contains=down).exists()


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


def test_a_consumer_starting_while_another_ticks_prices_does_not_say_a_worker_was_down(
    paper_bot, set_price
):
    """Several consumers (the scale-out deployment): one starts while another has been claiming
    the price ticks. What it finds crossed still closes at once, but its line only says
    "crossed"."""
    assert PRICE_TICKS_TASK in GUARDED_TASKS  # the name the periodic runs are recorded under
    position = order_open(
        bot_id=paper_bot.pk, side="long", size_usd="20", exits=parse_changes(take_profit="3000")
    ).position
    set_price("ETHUSDT", "3020")  # crossed a moment ago; the other consumer's tick is due
    now = timezone.now()
    PeriodicRun.objects.create(
        task=PRICE_TICKS_TASK,
        period_start=period_start(now, 1),
        consumer="worker-b:7",
        started_at=now - timedelta(seconds=20),
    )

    _thread_starts()

    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "take_profit")
    [event] = PositionEvent.objects.filter(position=position, action="exit_triggered")
    assert "crossed" in event.reason
    assert "worker was down" not in event.reason


def test_a_claim_of_its_own_pid_or_an_old_one_is_no_sign_of_another_live_consumer(
    paper_bot, set_price
):
    position = order_open(
        bot_id=paper_bot.pk, side="long", size_usd="20", exits=parse_changes(take_profit="3000")
    ).position
    set_price("ETHUSDT", "3020")
    now = timezone.now()
    for consumer, ago in ((consumer_name(), 20), ("worker-b:7", 180)):
        PeriodicRun.objects.create(
            task=PRICE_TICKS_TASK,
            period_start=period_start(now - timedelta(seconds=ago), 1),
            consumer=consumer,
            started_at=now - timedelta(seconds=ago),
        )

    _thread_starts()

    [event] = PositionEvent.objects.filter(position=position, action="exit_triggered")
    assert "crossed while the worker was down" in event.reason
