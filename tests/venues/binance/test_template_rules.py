"""A Binance bot's TradingView template is sized by the rules its own environment's copy holds
(egis.signals.template), and by the published copy while that one is not fetched yet."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.signals.template import template_size_usd
from egis.venues.binance.environments import venue_key_for
from egis.venues.models import SymbolFilter

pytestmark = pytest.mark.django_db

D = Decimal


def test_the_environments_rules_come_first(binance_bot, binance_account, set_price):
    set_price("BNBUSDT", "580")
    # Not fetched yet: the paper venue's published copy (0.01 BNB = $5.80, room $6.96).
    assert template_size_usd(binance_bot) == D("7")
    SymbolFilter.objects.create(
        venue_key=venue_key_for(binance_account),
        symbol="BNBUSDT",
        step_size=D("0.01"),
        min_qty=D("0.01"),
        min_notional=D("50"),  # this environment asks more
        tick_size=D("0.01"),
    )
    assert template_size_usd(binance_bot) == D("65")  # 0.09 BNB = $52.20, room $62.64
