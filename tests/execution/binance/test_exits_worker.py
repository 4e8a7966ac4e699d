"""The worker polls resting Binance exits (no user-data stream yet): registered as a periodic
Huey task, it books a fired exit and never raises."""

import pytest
from huey.contrib.djhuey import HUEY

from egis.execution import tasks
from tests.support.binance_exits import open_long, set_exits

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_poll_is_registered_with_the_worker():
    from egis.ops.periodic import GUARDED_TASKS

    registered = set(HUEY._registry._registry)
    assert "egis.execution.tasks.binance_exits_poll_schedule" in registered
    assert "egis.execution.tasks.binance_exits_poll_tick" in registered
    assert "egis.execution.tasks.binance_exits_poll_schedule" in GUARDED_TASKS  # once per period


def test_the_periodic_poll_books_a_fired_stop(binance_bot, fake_binance, settings, journal_path):
    settings.EGIS_EXITS_POLL_SECONDS = 60  # one pass per run under test
    position = open_long(binance_bot)
    set_exits(binance_bot, position, sl="570", tp="600")
    fake_binance.set_mark_price("BNBUSDT", "569")
    tasks.binance_exits_poll_schedule()  # immediate mode under test: its ticks run now
    position.refresh_from_db()
    assert (position.status, position.close_reason) == ("closed", "stop_loss")
    report = tasks.run_binance_exits_poll()
    assert report is not None and report["checked"] == 0


def test_an_unreachable_binance_is_reported_not_raised(binance_bot, fake_binance, journal_path):
    position = open_long(binance_bot)
    set_exits(binance_bot, position, sl="570")
    fake_binance.stop()
    report = tasks.run_binance_exits_poll()
    assert report is not None and report["errors"] and report["checked"] == 1
