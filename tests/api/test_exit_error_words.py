"""Exit refusals speak the words on the form ("Take-profit %: must be ..."), never the API's
field names ("take_profit.pct must be ..."); the API keeps the machine name in `field`, and the
bot page files the message under the field it concerns (newcomer report)."""

from __future__ import annotations

import re

import pytest

from egis.exits.rules import InvalidExit, parse_changes
from egis.ledger.pipeline import order_open
from tests.web.conftest import inertia, post_json

# An API field name as the grammar spells it: snake_case, maybe dotted.
MACHINE_NAME = re.compile(r"\b[a-z]+_[a-z_]+(\.[a-z_]+)?\b")

BAD = [
    ({"take_profit": {"pct": "abc"}}, "take_profit.pct", "Take-profit %: "),
    ({"take_profit": {"pct": "0"}}, "take_profit.pct", "Take-profit %: "),
    ({"take_profit": {"pct": "150"}}, "take_profit.pct", "Take-profit %: "),
    ({"take_profit": {"pct": "1.005"}}, "take_profit.pct", "Take-profit %: "),
    ({"take_profit": {"price": "-3"}}, "take_profit.price", "Take-profit price: "),
    ({"stop_loss": {"price": "1e3"}}, "stop_loss.price", "Stop-loss price: "),
    ({"stop_loss": {"pct": "1", "price": "2"}}, "stop_loss", "Stop-loss: "),
    ({"stop_loss": {"size": "1"}}, "stop_loss", "Stop-loss: "),
    ({"stop_loss": ["1"]}, "stop_loss", "Stop-loss: "),
    ({"trailing_stop": {"callback_pct": "20"}}, "trailing_stop.callback_pct", "Trailing stop %: "),
    (
        {"trailing_stop": {"callback_pct": "0.01"}},
        "trailing_stop.callback_pct",
        "Trailing stop %: ",
    ),
    (
        {"trailing_stop": {"callback_pct": "1", "activation_price": "x"}},
        "trailing_stop.activation_price",
        "Activation price: ",
    ),
]


@pytest.mark.parametrize(("given", "field", "starts"), BAD)
def test_a_refused_exit_names_the_field_in_the_forms_words(given, field, starts):
    with pytest.raises(InvalidExit) as caught:
        parse_changes(**given)
    assert caught.value.field == field  # the machine name stays for programs
    assert caught.value.message.startswith(starts), caught.value.message
    assert not MACHINE_NAME.search(caught.value.message), caught.value.message


@pytest.mark.django_db(transaction=True)
def test_the_api_keeps_the_machine_field_and_says_the_words(api_as, bob, paper_bot):
    client = api_as(bob)
    position = order_open(bot_id=paper_bot.pk, side="long", size_usd="20").position
    response = client.put(
        f"/bots/{paper_bot.pk}/positions/{position.pk}/exits",
        {"take_profit": {"price": "3000.005"}},
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["errors"] == [{"field": "take_profit.price", "message": body["detail"]}]
    assert body["detail"] == (
        "Take-profit price: 3000.005 is not a multiple of the symbol's tick 0.01"
    )
    wrong_side = client.get(f"/bots/{paper_bot.pk}/quote?size_usd=20&stop_loss=3000").json()
    assert wrong_side["exits_error"]["field"] == "stop_loss.price"
    assert wrong_side["exits_error"]["message"].startswith("A long's stop-loss must be below")


@pytest.mark.django_db(transaction=True)
def test_the_edit_sheet_gets_its_error_on_the_field_it_concerns(client, bob, paper_bot):
    client.force_login(bob)
    position = order_open(bot_id=paper_bot.pk, side="long", size_usd="20").position
    url = f"/bots/{paper_bot.pk}/positions/{position.pk}/exits"
    cases = [
        ({"stop_loss": {"price": "3100"}}, "stop_loss", "A long's stop-loss must be below"),
        ({"take_profit": {"pct": "abc"}}, "take_profit", "Take-profit %: must be"),
        ({"trailing_stop": {"callback_pct": "50"}}, "trailing_stop", "Trailing stop %: must be"),
        (
            {"trailing_stop": {"callback_pct": "1", "activation_price": "100"}},
            "trailing_stop.activation_price",
            "A long's trailing stop activates above",
        ),
    ]
    for body, slot, words in cases:
        post_json(client, url, body)
        errors = inertia(client, f"/bots/{paper_bot.pk}")["props"]["errors"]
        assert list(errors) == [f"exits_{position.pk}.{slot}"], (body, errors)
        assert errors[f"exits_{position.pk}.{slot}"].startswith(words), errors


@pytest.mark.django_db(transaction=True)
def test_the_open_form_gets_exit_errors_in_words(client, bob, paper_bot):
    client.force_login(bob)
    post_json(
        client,
        f"/bots/{paper_bot.pk}/orders/open",
        {"side": "long", "size_usd": "20", "take_profit": {"pct": "1.005"}},
    )
    errors = inertia(client, f"/bots/{paper_bot.pk}")["props"]["errors"]
    assert errors == {"take_profit": "Take-profit %: has more than 2 decimal places"}
