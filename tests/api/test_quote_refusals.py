"""The open form's quote says the refusal the Open would get, before the tap: not enough budget,
a netting conflict, a risk limit with its figure, the bot paused or halted. The words come from
the open's own preflight (egis.ledger.open_checks.open_preflight), so they are the open's words;
the quote reserves nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.bots.models import Bot
from egis.bots.services import bot_create
from egis.ledger import budget
from egis.ledger.errors import OrderRefused
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open
from egis.portfolio.pause import bot_set_paused

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bnb_bot(bob, set_price):
    set_price("BNBUSDT", "593.1")
    return bot_create(owner=bob, name="Bob BNB", venue="paper", symbol="BNBUSDT", budget_usd="100")


def _quote(client, bot, amount: str, side: str = "long") -> dict:
    response = client.get(f"/bots/{bot.pk}/quote?size_usd={amount}&side={side}")
    assert response.status_code == 200, response.content
    return response.json()


def _open_refusal(bot, amount: str, side: str = "long") -> OrderRefused:
    with pytest.raises(OrderRefused) as caught:
        order_open(bot_id=bot.pk, side=side, size_usd=amount)
    return caught.value


def test_an_amount_over_the_available_budget_is_refused_in_the_quote_with_the_figures(
    as_bob, bnb_bot
):
    body = _quote(as_bob, bnb_bot, "5000")
    assert body["summary"].startswith("$5,000.00 buys ")  # still says what it would buy
    assert body["refusal"] == {
        "code": "not_enough_budget",
        "message": "Not enough budget. Available: $100.00, Requested: $5,000.00",
    }
    assert _open_refusal(bnb_bot, "5000").message == body["refusal"]["message"]


def test_the_quote_reserves_nothing(as_bob, bnb_bot):
    before = budget.get_budget(bnb_bot)
    _quote(as_bob, bnb_bot, "40")
    _quote(as_bob, bnb_bot, "5000")
    assert budget.get_budget(bnb_bot) == before
    assert Position.objects.count() == 0 and Order.objects.count() == 0
    assert "refusal" not in _quote(as_bob, bnb_bot, "100")  # all of it is still available


def test_a_short_while_a_long_is_open_is_a_netting_refusal(as_bob, bnb_bot):
    order_open(bot_id=bnb_bot.pk, side="long", size_usd="20")
    body = _quote(as_bob, bnb_bot, "20", side="short")
    assert body["refusal"]["code"] == "netting_conflict"
    assert "close the long first" in body["refusal"]["message"]
    assert body["refusal"]["message"] == _open_refusal(bnb_bot, "20", "short").message
    assert "refusal" not in _quote(as_bob, bnb_bot, "20", side="long")


def test_a_risk_limit_is_said_with_its_figure(as_bob, bnb_bot):
    Bot.objects.filter(pk=bnb_bot.pk).update(max_order_usd=Decimal("15"))
    body = _quote(as_bob, bnb_bot, "20")
    assert body["refusal"] == {
        "code": "max_order_usd",
        "message": "Max USD per order is $15.00: $20.00 requested (over by $5.00).",
    }
    assert "refusal" not in _quote(as_bob, bnb_bot, "15")


def test_a_cooldown_is_said_before_the_second_open(as_bob, bnb_bot):
    Bot.objects.filter(pk=bnb_bot.pk).update(cooldown_s=60)
    assert "refusal" not in _quote(as_bob, bnb_bot, "10")
    order_open(bot_id=bnb_bot.pk, side="long", size_usd="10")
    body = _quote(as_bob, bnb_bot, "10")
    assert body["refusal"]["code"] == "cooldown"
    assert "opens are allowed every 60 s" in body["refusal"]["message"]


def test_a_paused_or_halted_bot_is_said(as_bob, bob, bnb_bot):
    bot_set_paused(bot_id=bnb_bot.pk, paused=True, actor=bob)
    body = _quote(as_bob, bnb_bot, "10")
    assert body["refusal"]["code"] == "bot_paused"
    assert body["refusal"]["message"].startswith("Paused by bob at ")
    bot_set_paused(bot_id=bnb_bot.pk, paused=False, actor=bob)
    Bot.objects.filter(pk=bnb_bot.pk).update(halted_reason="drift found")
    body = _quote(as_bob, bnb_bot, "10")
    assert body["refusal"]["code"] == "bot_not_tradable"
    # The open's own refusal, in the halt's words (egis.bots.halt_words).
    assert "is halted for new opens (closes still work). drift found." in body["refusal"]["message"]


def test_the_refusal_is_in_the_openapi_schema(as_bob):
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    props = schema["components"]["schemas"]["QuoteOut"]["properties"]
    assert "refusal" in props
