"""An open is sized at the price it can fill at, on the tick: never more than its hold.

Found by review: the paper venue fills a buy at the reference moved by the slippage and rounded
up to the tick, while the sizing divided by the unrounded price. With a reference off the tick
(a live mark price has more decimals than the tick), an open of the whole budget booked a cent
more than its hold and the bot's available budget went negative.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.bots.services import bot_create
from egis.ledger import budget
from egis.ledger.pipeline import order_open
from egis.venues.paper.venue import PaperVenue
from egis.venues.rules import market_qty_for_usd, smallest_usd

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_open_of_the_whole_budget_never_books_more_than_its_hold(bob, set_price):
    set_price("DOGEUSDT", "0.120004")  # DOGEUSDT's tick is 0.00001
    bot = bot_create(
        owner=bob, name="Bob DOGE", venue="paper", symbol="DOGEUSDT", budget_usd="240.01"
    )
    result = order_open(bot_id=bot.pk, side="long", size_usd="240.01")
    assert result.order.status == "filled"
    assert result.position.size_usd <= Decimal("240.01")
    assert budget.get_budget(bot).available_usd >= 0


def test_the_smallest_amount_named_still_opens_off_the_tick(bob, set_price):
    set_price("DOGEUSDT", "0.120004")
    bot = bot_create(owner=bob, name="Bob DOGE", venue="paper", symbol="DOGEUSDT", budget_usd="100")
    venue = PaperVenue(bot)
    rules, price, buffer = venue.symbol_rules("DOGEUSDT"), Decimal("0.120004"), venue.price_buffer()
    least = smallest_usd(price, rules, buffer=buffer)
    qty = market_qty_for_usd(least, price, rules, buffer=buffer)  # does not refuse
    fill = venue.market_fill_price("DOGEUSDT", buying=True, reference=price)
    assert qty * fill <= least
