"""A close never treats a young `placing` exit as gone because Binance does not know it yet.

An exit whose placement answer was lost (503/-1007 after Binance booked it) stays `placing`.
If a close then cancels it while Binance still lags ("Unknown order sent" on the cancel, "Order
does not exist" on the lookup), "not found" proves nothing: recovery waits a grace period before
it believes it (EGIS_RECOVERY_NOT_FOUND_GRACE_S), and so must the cancel that a close waits on.
Otherwise the ledger says "cancelled", the close goes out, and a reduce-only stop stays resting
at Binance, where it can fire on another bot's share of the netted position."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from egis.exits.binance_recovery import binance_exits_recover
from egis.exits.errors import ExitCancelUnknown
from egis.ledger.models import Incident, Position
from egis.ledger.pipeline import order_close
from tests.support.binance_exits import exits_of, open_long, set_exits
from tests.support.fake_binance_algo import ALGO_503_AFTER_BOOKING, ALGO_1007_NOT_BOOKED
from tests.support.fake_binance_exchange import REJECT

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


@pytest.fixture(autouse=True)
def _journal(journal_path):
    pass


def test_a_close_does_not_cancel_a_young_placing_exit_that_binance_does_not_show_yet(
    binance_bot, fake_binance
):
    position = open_long(binance_bot)
    fake_binance.fail_next_algo(ALGO_503_AFTER_BOOKING)  # booked at Binance, answer lost
    stop = set_exits(binance_bot, position, sl="570")["stop_loss"]
    assert stop.status == "placing"
    assert [a["clientAlgoId"] for a in fake_binance.open_algos()] == [stop.client_algo_id]

    # Binance lags: the cancel and the lookup right after it do not see the algo order yet.
    fake_binance.fail_next_algo_cancel(REJECT, code=-2011, msg="Unknown order sent.")
    fake_binance.algo_lookups_not_found(1)
    closes_before = len(fake_binance.order_posts)

    with pytest.raises(ExitCancelUnknown) as info:
        order_close(bot_id=binance_bot.pk, position_id=position.pk)
    incident = Incident.objects.get(kind="exit_cancel_unknown")
    assert f"incident #{incident.pk}" in info.value.message

    # Nothing was sent, and the ledger does not call an exit it cannot prove gone cancelled.
    assert len(fake_binance.order_posts) == closes_before
    assert Position.objects.get(pk=position.pk).status == "open"
    assert exits_of(position)["stop_loss"].status == "placing"
    assert [a["clientAlgoId"] for a in fake_binance.open_algos()] == [stop.client_algo_id]

    # Once Binance answers, the close cancels it for real and goes out.
    order_close(bot_id=binance_bot.pk, position_id=position.pk)
    assert Position.objects.get(pk=position.pk).status == "closed"
    assert exits_of(position)["stop_loss"].status == "cancelled"
    assert fake_binance.open_algos() == []
    incident.refresh_from_db()
    assert incident.status == "resolved"


def test_a_close_blocked_by_a_placement_that_never_arrived_goes_out_after_the_grace(
    binance_bot, fake_binance
):
    position = open_long(binance_bot)
    fake_binance.fail_next_algo(ALGO_1007_NOT_BOOKED)  # never reached Binance, answer lost
    stop = set_exits(binance_bot, position, sl="570")["stop_loss"]
    assert stop.status == "placing"

    with pytest.raises(ExitCancelUnknown):  # "not found" may be lag: not believed yet
        order_close(bot_id=binance_bot.pk, position_id=position.pk)
    incident = Incident.objects.get(kind="exit_cancel_unknown")

    # Past the grace, recovery decides it was never placed; the incident is decided with it.
    binance_exits_recover(now=timezone.now() + timedelta(seconds=61))
    assert exits_of(position)["stop_loss"].status == "failed"
    incident.refresh_from_db()
    assert (incident.status, incident.resolution) == ("resolved", "decided")

    order_close(bot_id=binance_bot.pk, position_id=position.pk)
    assert Position.objects.get(pk=position.pk).status == "closed"
    assert fake_binance.open_algos() == []
