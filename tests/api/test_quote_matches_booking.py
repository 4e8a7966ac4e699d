"""The Open form's quote is what the booking books (newcomer report: the quote said "≈ $17.84"
and the order booked $17.85). At one price, for several symbols, amounts and both sides, the
quote's quantity and notional equal the paper fill's, and the amount it shows is the amount the
booked position shows (the one shown-hold rounding rule, egis.ledger.budget.shown_hold)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from egis.bots.services import bot_create
from egis.core.money import usd_display
from egis.ledger.budget import shown_hold
from egis.ledger.pipeline import order_open
from egis.venues.models import SymbolFilter

pytestmark = pytest.mark.django_db(transaction=True)

# symbol, price (on the symbol's tick), amounts whose notional is not a whole cent
CASES = [
    ("BNBUSDT", "594.75", ["18", "10", "37.5"]),  # 0.03 x 594.75 = 17.8425: "$17.84" vs $17.85
    ("ETHUSDT", "2934.56", ["20", "55.55"]),
    ("SOLUSDT", "145.37", ["12.34", "99"]),
    ("XRPUSDT", "0.5123", ["15", "42.42"]),
]


def _shown_amount(summary: str) -> str:
    match = re.search(r"≈ (\$[0-9,.]+)", summary)
    assert match, summary
    return match.group(1)


@pytest.mark.parametrize("slippage_bps", ["0", "7"])
@pytest.mark.parametrize("side", ["long", "short"])
@pytest.mark.parametrize(("symbol", "price", "amounts"), CASES)
def test_the_quote_equals_the_booked_order_at_the_same_price(
    as_bob, bob, set_price, settings, symbol, price, amounts, side, slippage_bps
):
    settings.EGIS_PAPER_SLIPPAGE_BPS = Decimal(slippage_bps)
    SymbolFilter.objects.filter(venue_key="paper").update(min_notional=Decimal("5"))
    set_price(symbol, price)
    bot = bot_create(
        owner=bob, name=f"Bob {symbol}", venue="paper", symbol=symbol, budget_usd="500"
    )
    for amount in amounts:
        quoted = as_bob.get(f"/bots/{bot.pk}/quote?size_usd={amount}&side={side}")
        assert quoted.status_code == 200, quoted.content
        quote = quoted.json()
        position = order_open(bot_id=bot.pk, side=side, size_usd=amount).position
        assert Decimal(quote["qty"]) == position.qty, (symbol, amount)
        assert Decimal(quote["notional_usd"]) == position.size_usd, (symbol, amount, side)
        booked = usd_display(shown_hold(position.size_usd))  # what the flash and the row show
        assert _shown_amount(quote["summary"]) == booked, (symbol, amount, side, quote["summary"])
