"""Drift compares settled quantities only: an order that settles while the check is running (after
the mirror was synced, before the ledger is read) is in flight for this check, never drift."""

from decimal import Decimal

import pytest

from egis.bots.models import Bot
from egis.ledger.models import Incident
from egis.ledger.pipeline import order_open
from egis.reconcile.drift import drift_check
from egis.venues.binance.positions import sync_exchange_positions
from egis.venues.models import ExchangeAccount

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_order_settled_during_the_sync_is_not_drift(binance_bot, fake_binance):
    def sync_then_another_worker_trades(account: ExchangeAccount) -> bool:
        sync_exchange_positions(account)  # the venue is flat when positionRisk answers
        # Meanwhile another worker opens and settles a position on the same account + symbol.
        order_open(bot_id=binance_bot.pk, side="long", size_usd="100")
        return True

    report = drift_check(sync=sync_then_another_worker_trades)

    (item,) = report.items
    assert item.venue_qty == 0  # the mirror was synced before the fill: stale, not wrong
    assert item.ledger_qty == Decimal("0.17")
    assert item.status == "in_flight"
    assert Incident.objects.count() == 0
    assert not Bot.objects.get(pk=binance_bot.pk).is_halted

    # The next check, with a fresh mirror, finds the two agree.
    (again,) = drift_check().items
    assert (again.status, again.venue_qty) == ("ok", Decimal("0.17"))
