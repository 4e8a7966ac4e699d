"""The TradingView message a bot offers has a size_usd its venue accepts for its symbol: the
smallest order at the stored price with room for the price to move, rounded up to a friendly
figure, never above the budget. A fixed "25" was refused on a BTCUSDT bot (its least order is
0.002 BTC, $120 at $60,000)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from egis.bots.services import bot_create
from egis.ledger.errors import OrderSizeRejected
from egis.ledger.pipeline import order_open
from egis.signals.template import (
    friendly_up,
    template_size_usd,
    tradingview_template,
)
from egis.venues.models import SymbolFilter
from tests.web.conftest import inertia, login

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal
README = Path(__file__).resolve().parents[2] / "README.md"


def _bot(bob, symbol: str, budget: str = "1000", name: str = ""):
    return bot_create(
        owner=bob, name=name or f"Bob {symbol}", venue="paper", symbol=symbol, budget_usd=budget
    )


@pytest.mark.parametrize(
    ("amount", "friendly"),
    [
        ("0.40", "1"),
        ("6.06", "7"),
        ("7", "7"),
        ("24.65", "25"),
        ("10", "10"),
        ("144.07", "150"),
        ("150.01", "200"),
        ("1234", "1500"),
    ],
)
def test_friendly_figures_round_up(amount, friendly):
    assert friendly_up(D(amount)) == D(friendly)


def test_a_btc_bots_template_opens_where_25_was_refused(bob, set_price):
    set_price("BTCUSDT", "60000")
    bot = _bot(bob, "BTCUSDT")
    size = template_size_usd(bot)
    assert size == D("150")  # 0.002 BTC = $120, with 20% room = $144, rounded up
    assert json.loads(tradingview_template(size_usd=size))["size_usd"] == "150"
    with pytest.raises(OrderSizeRejected):
        order_open(bot_id=bot.pk, side="long", size_usd="25")
    # The price rose 20% since the page was read: the template's size still opens.
    set_price("BTCUSDT", "72000")
    opened = order_open(bot_id=bot.pk, side="long", size_usd=str(size))
    assert opened.position.qty == D("0.002")


def test_a_cheap_symbols_template_is_a_few_dollars_and_opens(bob, set_price):
    set_price("DOGEUSDT", "0.12000")
    bot = _bot(bob, "DOGEUSDT", budget="100")
    size = template_size_usd(bot)
    assert size == D("7")  # 42 DOGE = $5.04 (min notional $5), with room $6.05
    opened = order_open(bot_id=bot.pk, side="long", size_usd=str(size))
    assert opened.position.qty == D("58")


def test_the_size_is_never_above_the_budget(bob, set_price):
    set_price("BTCUSDT", "60000")
    assert template_size_usd(_bot(bob, "BTCUSDT", budget="130.50")) == D("130.50")


def test_without_a_price_the_minimum_notional_leads_and_without_rules_a_default(bob, set_price):
    set_price("ETHUSDT", "2934.56")
    bot = _bot(bob, "ETHUSDT")
    assert template_size_usd(bot) == D("25")  # 0.007 ETH = $20.54, with room $24.65
    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").delete()
    assert template_size_usd(bot) == D("100")  # nothing known: the largest common minimum


def test_the_bot_page_offers_the_bots_own_size(client, bob, set_price):
    set_price("BTCUSDT", "60000")
    bot = _bot(bob, "BTCUSDT")
    login(client, bob)
    template = json.loads(inertia(client, f"/bots/{bot.pk}")["props"]["signals"]["template"])
    assert template["size_usd"] == "150" and template["secret"] == "YOUR-SECRET"


def test_the_readme_shows_a_btc_bots_template(bob, set_price):
    set_price("BTCUSDT", "60000")
    size = template_size_usd(_bot(bob, "BTCUSDT"))
    block = re.search(
        r"The TradingView alert message .*?```json\n(.*?)```", README.read_text(), re.DOTALL
    )
    assert block is not None
    assert json.loads(block.group(1)) == json.loads(tradingview_template(size_usd=size))
