"""An open position's exits carry two different percentages, each named for what it is: the
distance from the current price to the trigger (moves with the price) and the trigger's place
from the entry price (what the Open form and the Edit exits sheet take). A newcomer read a 2 %
take-profit as "+2.51 %" because only the first was shown."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.exits.rules import LevelSpec
from egis.ledger.pipeline import order_open
from tests.web.conftest import inertia

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_from_entry_percentage_stays_while_the_distance_follows_the_price(
    as_bob, paper_bot, set_price
):
    order_open(
        bot_id=paper_bot.pk,
        side="long",
        size_usd="20",
        exits={
            "take_profit": LevelSpec(pct=Decimal("2")),
            "stop_loss": LevelSpec(pct=Decimal("1")),
        },
    )
    set_price("ETHUSDT", "2900")  # the price falls after the entry at 2934.56
    [row] = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["open_positions"]
    by_kind = {e["kind"]: e for e in row["exits"]}
    assert by_kind["take_profit"]["from_entry_pct"] == "2.00"
    assert by_kind["stop_loss"]["from_entry_pct"] == "-1.00"
    assert by_kind["take_profit"]["distance_pct"] == "3.22"  # 2993.25 from 2900
    assert by_kind["stop_loss"]["distance_pct"] == "0.18"  # 2905.21 from 2900

    exits = as_bob.get(f"/api/v1/bots/{paper_bot.pk}/exits").json()  # the API says the same
    api = {e["kind"]: e for e in exits["positions"][0]["exits"]}
    assert api["take_profit"]["from_entry_pct"] == "2.00"
