"""The PnL chart sends the last closes only, and its line still starts from the shown total of
every earlier close (the sum of the closed rows as shown, egis.bots.selectors.shown_net)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.bots.selectors import pnl_series, shown_net
from egis.ledger.models import Position
from egis.ledger.pipeline import order_close, order_open

pytestmark = pytest.mark.django_db(transaction=True)


def _round_trips(bot, set_price, exits: list[str]) -> None:
    for exit_price in exits:
        set_price("ETHUSDT", "2934.56")
        opened = order_open(bot_id=bot.pk, side="long", size_usd="20")
        set_price("ETHUSDT", exit_price)
        order_close(bot_id=bot.pk, position_id=opened.position.pk)


def test_the_window_keeps_close_numbers_and_shown_running_totals(paper_bot, set_price):
    _round_trips(paper_bot, set_price, ["2950", "2900", "3000.10", "2800", "2934.56"])
    whole = pnl_series(paper_bot, points=100)
    last_three = pnl_series(paper_bot, points=3)

    assert [p["n"] for p in whole] == [1, 2, 3, 4, 5]
    assert last_three == whole[2:]
    closed = Position.objects.filter(status="closed").order_by("closed_at", "id")
    shown = [shown_net(p.realized_pnl_usd - p.fees_usd) for p in closed]
    assert [Decimal(p["pnl_usd"]) for p in whole] == shown
    assert Decimal(last_three[-1]["cumulative_usd"]) == sum(shown, Decimal(0))
    # The window's first point starts from the two earlier closes as shown (summed in SQL).
    assert Decimal(last_three[0]["cumulative_usd"]) == sum(shown[:3], Decimal(0))
    assert pnl_series(paper_bot, points=1) == whole[-1:]


def test_no_closes_no_points(paper_bot):
    assert pnl_series(paper_bot) == []
