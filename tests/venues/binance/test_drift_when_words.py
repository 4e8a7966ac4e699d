"""Drift texts name a moment as the pages do ("27 Nov, 00:19 UTC"), the payload's field staying
ISO 8601 (egis.core.when)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from egis.ledger.models import Incident, IncidentKind
from egis.reconcile.drift import account_items
from egis.venues.models import ExchangeAccount, ExchangePosition
from egis.web.incident_details import incident_sentences

NB = "\u00a0"
AT = dt.datetime(2026, 11, 27, 0, 19, 42, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_the_drift_incident_says_when_the_exchange_was_read(binance_bot):
    incident = Incident(
        kind=IncidentKind.DRIFT,
        bot=binance_bot,
        payload={
            "venue": "binance_futures",
            "symbol": "BNBUSDT",
            "ledger_qty": "0.17",
            "venue_qty": "0",
            "account_id": binance_bot.exchange_account_id,
            "mirror_synced_at": "2026-11-27T00:19:42.512+00:00",
        },
    )
    said = " ".join(incident_sentences(incident))
    assert f"The exchange's position was read at 27 Nov, 00:19{NB}UTC." in said
    assert "2026" not in said


@pytest.mark.django_db
def test_an_unjudged_scope_says_when_the_last_good_mirror_was_read(binance_bot):
    account = ExchangeAccount.objects.get(pk=binance_bot.exchange_account_id)
    ExchangePosition.objects.create(
        account=account, symbol="BNBUSDT", position_amt=Decimal(0), synced_at=AT
    )
    [item] = account_items(account, synced=False, since=timezone.now())
    assert item.hint.endswith(f"(last good mirror: 27 Nov, 00:19{NB}UTC)")
    assert item.mirror_synced_at == AT.isoformat()  # the machine field stays ISO 8601
