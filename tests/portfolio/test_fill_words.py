"""The flashes and the close sheets in the trader's units and words (newcomer report): the
quantity in the base asset ("0.04 BNB", never "0.04 BNBUSDT"), the price at the tick with "$"
("$587.10", never "587.1"), the size by the one rule of a shown position size, and what a close
does said as a trader would (no "reduce-only", no "order pipeline")."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from egis.bots.services import bot_create
from egis.ledger.pipeline import order_open
from tests.web.conftest import inertia, post_json

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bnb_bot(bob, set_price):
    set_price("BNBUSDT", "587.1")
    return bot_create(owner=bob, name="Bob BNB", venue="paper", symbol="BNBUSDT", budget_usd="100")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _flash(client: Client, bot) -> str:
    return inertia(client, f"/bots/{bot.pk}")["props"]["flash"][0]["message"]


def test_open_and_close_flashes_say_the_base_asset_and_the_price_at_the_tick(bnb_bot, bob):
    page = _client(bob)
    post_json(page, f"/bots/{bnb_bot.pk}/orders/open", {"side": "long", "size_usd": "25"})
    opened = _flash(page, bnb_bot)
    # 0.04 x 587.10 = 23.484: the size as its card shows it (rounded up), never $23.48.
    assert opened.startswith("Opened long $23.49 (requested $25.00): 0.04 BNB at $587.10 (order ")
    [row] = inertia(page, f"/bots/{bnb_bot.pk}")["props"]["open_positions"]
    assert row["display"]["size_usd"] == "23.49"
    post_json(page, f"/bots/{bnb_bot.pk}/positions/{row['id']}/close", {})
    closed = _flash(page, bnb_bot)
    assert re.fullmatch(
        rf"Closed long #{row['id']}: sold 0\.04 BNB at \$587\.10, realized -\$0\.[0-9]{{2}} "
        r"after fees \(order egis-[^)]+\)\.",
        closed,
    ), closed
    assert "BNBUSDT" not in opened + closed


@pytest.mark.parametrize(
    ("side", "amount", "qty", "verb"),
    [("long", "25", "0.04", "Sells"), ("short", "12", "0.02", "Buys back")],
)
def test_the_close_sheets_say_what_happens_in_a_traders_words(
    bnb_bot, alice, side, amount, qty, verb
):
    order_open(bot_id=bnb_bot.pk, side=side, size_usd=amount)
    props = inertia(_client(alice), f"/bots/{bnb_bot.pk}")["props"]
    [row] = props["open_positions"]
    text = row["display"]["close_text"]
    assert text == (
        f"{verb} {qty} BNB at market to close this {side}; nothing else on the account is touched."
    )
    [planned] = props["close_all_plan"]
    assert (planned["qty_text"], planned["text"]) == (f"{qty} BNB", text)
    assert planned["size_text"] == f"${row['display']['size_usd']}"
    for jargon in ("reduce-only", "pipeline", "BNBUSDT"):
        assert jargon not in props["close_all_text"] + text
