"""A mirror sync that fails is never judged as drift: the old mirror is not the exchange now.

The ledger opens after the last good sync; then the exchange stops answering. Comparing the
ledger with the stale mirror would report drift that is not there and halt the bots for new
opens. The check must say "not judged: the sync failed" instead, and judge again once the
exchange answers.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from egis.bots.models import Bot
from egis.execution.incident_actions import incident_resolve
from egis.execution.incident_base import IncidentError
from egis.ledger.models import Incident
from egis.ledger.pipeline import order_open
from egis.reconcile.drift import drift_check
from egis.reconcile.drift_report import DRIFT, NO_MIRROR, OK
from egis.venues.models import ExchangePosition

pytestmark = pytest.mark.django_db(transaction=True)


def _failing_sync(account):
    raise ConnectionError("exchange unreachable")


def test_a_failed_sync_leaves_the_scope_unjudged(binance_bot, binance_account, fake_binance):
    # The last good sync, before the open: the exchange was flat then.
    ExchangePosition.objects.create(
        account=binance_account,
        symbol="BNBUSDT",
        position_amt=Decimal(0),
        synced_at=timezone.now() - timedelta(minutes=5),
    )
    order_open(bot_id=binance_bot.pk, side="long", size_usd="100")

    report = drift_check(sync=_failing_sync)

    (item,) = [i for i in report.items if i.symbol == "BNBUSDT"]
    assert item.status == NO_MIRROR
    assert item.ledger_qty == Decimal("0.17")
    assert "could not be synced" in item.hint
    assert report.sync_errors and "exchange unreachable" in report.sync_errors[0]
    assert not report.drift
    assert not Incident.objects.exists()
    assert Bot.objects.get(pk=binance_bot.pk).halted_reason == ""

    # The exchange answers again: the same scope is judged, and agrees.
    again = drift_check()
    (item,) = [i for i in again.items if i.symbol == "BNBUSDT"]
    assert item.status == OK


def test_a_real_difference_is_still_drift_after_a_good_sync(binance_bot, fake_binance):
    order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    fake_binance.set_position("BNBUSDT", "0")  # closed by hand on Binance

    report = drift_check()

    (item,) = [i for i in report.items if i.symbol == "BNBUSDT"]
    assert item.status == DRIFT
    assert Incident.objects.filter(kind="drift").count() == 1


def test_a_drift_cannot_be_acknowledged_while_the_exchange_is_unreachable(
    binance_bot, alice, fake_binance
):
    order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
    fake_binance.set_position("BNBUSDT", "0.17", "580")
    fake_binance.set_position("BNBUSDT", "0")  # closed by hand on Binance
    (incident,) = [Incident.objects.get(pk=i.incident_id) for i in drift_check().drift]
    fake_binance.stop()  # the exchange stops answering

    with pytest.raises(IncidentError, match="cannot re-check the drift"):
        incident_resolve(
            incident_id=incident.pk, action="acknowledge", reason="looks fine", actor=alice
        )

    incident.refresh_from_db()
    assert incident.status == "open"
    assert Bot.objects.get(pk=binance_bot.pk).halted_reason.startswith("drift: ")
