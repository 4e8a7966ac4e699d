"""GET /api/v1/bots/{id}/quote: what the open form's amount buys, sized by the pipeline's own
sizing (same parser, same rounding down to the step), so the page never does the arithmetic."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test import Client

from egis.bots.services import bot_create
from egis.ledger.models import Order
from egis.ledger.pipeline import order_open
from egis.venues.paper.models import PaperFill

pytestmark = pytest.mark.django_db


@pytest.fixture
def bnb_bot(bob, set_price):
    set_price("BNBUSDT", "593.1")
    return bot_create(owner=bob, name="Bob BNB", venue="paper", symbol="BNBUSDT", budget_usd="100")


def test_the_quote_says_what_ten_dollars_buy(as_bob, bnb_bot):
    response = as_bob.get(f"/bots/{bnb_bot.pk}/quote?size_usd=10")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "symbol": "BNBUSDT",
        "base_asset": "BNB",
        "size_usd": "10.00",
        "qty": "0.01",
        "price": "593.1",
        "notional_usd": "5.931",
        "step_size": "0.01",
        "tick_size": "0.01",
        "min_notional_usd": "5.00",
        "summary": "$10.00 buys 0.01 BNB ≈ $5.94 at $593.10 (step 0.01 BNB)",
    }
    assert Order.objects.count() == 0 and PaperFill.objects.count() == 0  # nothing sent


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("amount", ["10", "37.5", "100"])
def test_the_quote_is_the_quantity_the_open_sends(as_bob, bnb_bot, amount):
    quoted = as_bob.get(f"/bots/{bnb_bot.pk}/quote?size_usd={amount}").json()
    order = order_open(bot_id=bnb_bot.pk, side="long", size_usd=amount).order
    assert Decimal(quoted["qty"]) == order.requested_qty


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("amount", ["3", "0.01"])
def test_an_amount_below_the_smallest_order_is_answered_not_a_client_error(as_bob, bnb_bot, amount):
    # Newcomer at 390 px: typing a small amount logged a 422 in the console each time. A quote
    # that cannot be ordered is an answer: 200, the refusal in the open's words, the smallest
    # amount named, and no quantity it cannot buy.
    response = as_bob.get(f"/bots/{bnb_bot.pk}/quote?size_usd={amount}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["refusal"]["code"] == "order_size"
    assert body["refusal"]["message"].startswith("Order too small")
    assert body["refusal"]["message"].endswith(
        "The smallest amount that opens is $5.94 (0.01 BNB at $593.10)."
    )
    assert body["refusal"]["smallest_usd"] == "5.94"
    assert "qty" not in body and "summary" not in body and "notional_usd" not in body
    assert body["price"] == "593.1" and body["min_notional_usd"] == "5.00"
    # The open itself still refuses it as before (POST /orders: 422 order_size, nothing sent).
    refused = as_bob.post(
        f"/bots/{bnb_bot.pk}/orders", {"intent": "open", "side": "long", "size_usd": amount}
    )
    assert refused.status_code == 422 and refused.json()["code"] == "order_size"
    assert Order.objects.count() == 0


def test_the_smallest_amount_named_is_one_that_the_quote_accepts(as_bob, bnb_bot):
    smallest = as_bob.get(f"/bots/{bnb_bot.pk}/quote?size_usd=1").json()["refusal"]["smallest_usd"]
    body = as_bob.get(f"/bots/{bnb_bot.pk}/quote?size_usd={smallest}").json()
    assert "refusal" not in body and body["qty"] == "0.01", body


def test_a_too_small_amount_still_quotes_the_exits(as_bob, bnb_bot):
    # The exits' trigger prices depend on the price only, not on the amount.
    body = as_bob.get(f"/bots/{bnb_bot.pk}/quote?size_usd=1&take_profit=2%25").json()
    assert body["refusal"]["code"] == "order_size"
    assert [row["kind"] for row in body["exits"]] == ["take_profit"]


@pytest.mark.parametrize("amount", ["", "abc", "-5", "10.001", "NaN", "0"])
def test_bad_input_is_a_422(as_bob, bnb_bot, amount):
    response = as_bob.get(f"/bots/{bnb_bot.pk}/quote?{urlencode({'size_usd': amount})}")
    assert response.status_code == 422, (amount, response.content)
    assert response.json()["code"] == "invalid_input"


@pytest.mark.parametrize("amount", ["abc", "1e3", "10.001", "-5"])
def test_an_amount_refusal_says_the_amount_not_the_api_field(as_bob, bnb_bot, amount):
    # The open form shows this under the amount while typing: in its words, like the submit's.
    body = as_bob.get(f"/bots/{bnb_bot.pk}/quote?{urlencode({'size_usd': amount})}").json()
    assert body["detail"].startswith("The amount "), body
    assert "size_usd" not in body["detail"]
    assert body["errors"][0]["field"] == "size_usd"  # the machine name stays for programs


def test_a_missing_amount_is_a_422(as_bob, bnb_bot):
    assert as_bob.get(f"/bots/{bnb_bot.pk}/quote").status_code == 422


def test_another_users_bot_is_a_404_and_no_auth_is_a_401(as_charlie, bnb_bot):
    assert as_charlie.get(f"/bots/{bnb_bot.pk}/quote?size_usd=10").status_code == 404
    assert Client().get(f"/api/v1/bots/{bnb_bot.pk}/quote?size_usd=10").status_code == 401


def test_the_page_session_may_ask_for_a_quote(client, bob, alice, bnb_bot):
    client.force_login(bob)
    assert client.get(f"/api/v1/bots/{bnb_bot.pk}/quote?size_usd=10").status_code == 200
    client.force_login(alice)  # an admin sees every bot
    assert client.get(f"/api/v1/bots/{bnb_bot.pk}/quote?size_usd=10").status_code == 200


def test_the_quote_is_in_the_openapi_schema():
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/bots/{bot_id}/quote"]["get"]
    assert operation["operationId"] == "bots_quote"
    assert {"200", "401", "404", "422", "503"} <= set(operation["responses"])
    # side, take_profit and stop_loss: the exits of the open form (issue 12).
    assert [p["name"] for p in operation["parameters"]] == [
        "bot_id",
        "size_usd",
        "side",
        "take_profit",
        "stop_loss",
    ]
