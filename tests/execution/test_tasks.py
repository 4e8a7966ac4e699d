"""The Huey jobs: registered as periodic tasks, a start-up hook, and they never raise."""

import pytest
from huey.contrib.djhuey import HUEY

from egis.execution import tasks
from egis.ledger.errors import OrderNotBooked
from egis.ledger.models import Order
from egis.ledger.pipeline import order_open
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)


def test_jobs_are_registered_with_the_worker():
    assert {
        "egis.execution.tasks.recovery_periodic",
        "egis.execution.tasks.drift_check_periodic",
    } <= set(HUEY._registry._registry)
    assert "recover_on_worker_start" in HUEY._startup


def test_worker_start_recovers_what_was_in_flight(paper_bot, settings, journal_path):
    settings.EGIS_RECOVERY_TIMEOUT_S = 0
    venue = RecordingPaperVenue(paper_bot, raise_after_fill=TimeoutError("read timed out"))
    with pytest.raises(OrderNotBooked):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="20", venue=venue)
    tasks.recover_on_worker_start()
    assert Order.objects.get().status == "filled"


def test_periodic_jobs_run_and_report(paper_bot, settings, journal_path):
    settings.EGIS_RECOVERY_TIMEOUT_S = 0
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    tasks.recovery_periodic()  # immediate mode under test: runs now, keeps no result
    tasks.drift_check_periodic()
    recovery = tasks.run_recovery()
    drift = tasks.run_drift_check()
    assert recovery is not None and recovery["counts"]["settled"] == 0
    assert drift is not None and drift["drift_found"] is False


def test_a_failing_run_is_logged_not_raised(paper_bot, settings, tmp_path, caplog):
    # A journal path that is a directory cannot be read: the run logs and returns None.
    settings.EGIS_JOURNAL_PATH = tmp_path
    assert tasks.run_recovery() is None
    assert "recovery run failed" in caplog.text
