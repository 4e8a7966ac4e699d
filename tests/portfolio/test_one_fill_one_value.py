"""One fill, one dollar value: a position's size and its opening order's executed value are the
same amount, and every screen shows it by one rule (`size_text`: whole cents rounded up, the
rule of the shown holds that add up to Reserved). A $10 open of ETH at 2934.56 books 8.80368:
$8.81 on the card, the flash, Activity, the Close all sheet and a fill notification; never $8.80
(half-even) next to it. The CSV stays exact."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from egis.core.figures import size_text
from egis.core.money import shown_size
from egis.ledger.budget import shown_hold
from egis.notifications.events import message_text
from egis.portfolio.export import csv_chunks
from tests.web.conftest import inertia, post_json

pytestmark = pytest.mark.django_db(transaction=True)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_same_amount_reads_the_same_everywhere(paper_bot, bob, alice):
    page = _client(bob)
    post_json(page, f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "10"})
    props = inertia(page, f"/bots/{paper_bot.pk}")["props"]
    [row] = props["open_positions"]
    assert row["size_usd"] == "8.80368"  # exact; half-even would show $8.80
    flash = props["flash"][0]["message"]
    assert flash.startswith("Opened long $8.81 (requested $10.00): 0.003 ETH at $2,934.56")
    assert row["display"]["size_usd"] == "8.81"

    orders = inertia(page, f"/bots/{paper_bot.pk}/activity?tab=orders")["props"]["list"]["items"]
    assert orders[0]["shown"]["value"] == "$8.81"
    assert orders[0]["cum_quote_usd"] == "8.80368"  # exact for scripts

    [planned] = inertia(_client(alice), f"/bots/{paper_bot.pk}")["props"]["close_all_plan"]
    assert (planned["size_text"], planned["qty_text"]) == ("$8.81", "0.003 ETH")

    fill = message_text(
        "fill", {"intent": "open", "side": "long", "size_usd": "8.80368", "requested_usd": "10"}
    )
    assert "$8.81 executed" in fill

    # The export stays exact.
    assert "8.80368" in "".join(csv_chunks(paper_bot.pk, "orders"))


def test_one_rule_for_a_size_and_a_fills_value():
    for exact, shown in (("8.80368", "8.81"), ("23.845", "23.85"), ("29.651", "29.66")):
        assert shown_size(Decimal(exact)) == shown_hold(Decimal(exact)) == Decimal(shown)
        assert size_text(Decimal(exact)) == f"${shown}"
    assert size_text(Decimal("5")) == "$5.00"
