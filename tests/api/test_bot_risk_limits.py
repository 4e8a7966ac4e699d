"""/api/v1/bots: risk limits in (create, PATCH) and out (the bot's JSON), documented in the
OpenAPI schema; a refusal by a limit is a 409 naming the limit and the figures."""

from __future__ import annotations

import json

import pytest

from egis.api.main import api
from egis.audit.models import AuditEntry
from egis.bots.models import Bot
from egis.ledger.models import Order

pytestmark = pytest.mark.django_db

NEW_BOT = {"name": "Bob BTC", "venue": "paper", "symbol": "BTCUSDT", "initial_budget_usd": "250"}
OFF = {
    "max_open_positions": None,
    "max_order_usd": None,
    "cooldown_s": None,
    "daily_loss_limit_usd": None,
}
LIMIT_FIELDS = list(OFF)


def test_a_new_bot_has_no_limits_unless_given(as_bob, paper_filters):
    created = as_bob.post("/bots", NEW_BOT)
    assert created.status_code == 201, created.content
    assert {k: created.json()[k] for k in OFF} == OFF


def test_create_with_limits_and_read_them_back(as_bob, paper_filters):
    body = {
        **NEW_BOT,
        "max_open_positions": 3,
        "max_order_usd": "50",
        "cooldown_s": "60",
        "daily_loss_limit_usd": "20.5",
    }
    created = as_bob.post("/bots", body)
    assert created.status_code == 201, created.content
    limits = {
        "max_open_positions": 3,
        "max_order_usd": "50.00",
        "cooldown_s": 60,
        "daily_loss_limit_usd": "20.50",
    }
    assert {k: created.json()[k] for k in OFF} == limits
    got = as_bob.get(f"/bots/{created.json()['id']}").json()
    assert {k: got[k] for k in OFF} == limits
    listed = as_bob.get("/bots").json()["items"][0]
    assert {k: listed[k] for k in OFF} == limits


def test_patch_changes_only_what_is_sent_null_turns_a_limit_off_and_it_is_audited(
    as_bob, paper_bot
):
    Bot.objects.filter(pk=paper_bot.pk).update(cooldown_s=60)
    done = as_bob.patch(f"/bots/{paper_bot.pk}", {"max_order_usd": "50"})
    assert done.status_code == 200, done.content
    assert done.json()["max_order_usd"] == "50.00" and done.json()["cooldown_s"] == 60
    done = as_bob.patch(f"/bots/{paper_bot.pk}", {"cooldown_s": None, "max_open_positions": 2})
    assert done.status_code == 200, done.content
    assert {k: done.json()[k] for k in OFF} == {
        **OFF,
        "max_order_usd": "50.00",
        "max_open_positions": 2,
    }
    rows = list(
        AuditEntry.objects.exclude(field="created")
        .order_by("id")
        .values_list("field", "before", "after", "actor__username")
    )
    assert rows == [
        ("max_order_usd", "off", "50.00", "bob"),
        ("max_open_positions", "off", "2", "bob"),
        ("cooldown_s", "60", "off", "bob"),
    ]


@pytest.mark.parametrize("field", LIMIT_FIELDS)
@pytest.mark.parametrize("value", [0, -1, "0", "1e1", True, "\u00b2", "1.5.1", [], "x" * 100])
def test_hostile_limit_values_are_a_422_naming_the_field(as_bob, paper_bot, field, value):
    before = list(Bot.objects.values())
    for method, path, body in (
        ("post", "/bots", {**NEW_BOT, field: value}),
        ("patch", f"/bots/{paper_bot.pk}", {field: value}),
    ):
        response = getattr(as_bob, method)(path, body)
        assert response.status_code == 422, (method, response.content)
        assert response.json()["errors"][0]["field"] == field
    assert list(Bot.objects.values()) == before


def test_the_schema_documents_the_limits_in_and_out():
    schemas = api.get_openapi_schema()["components"]["schemas"]
    for name in ("BotIn", "BotUpdateIn", "BotDetailOut"):
        assert set(LIMIT_FIELDS) <= set(schemas[name]["properties"]), name
    text = json.dumps(schemas["BotDetailOut"]["properties"]["daily_loss_limit_usd"])
    assert "UTC day" in text and "net of fees" in text


@pytest.mark.django_db(transaction=True)
def test_an_open_refused_by_a_limit_is_a_409_with_the_figures(as_bob, paper_bot):
    Bot.objects.filter(pk=paper_bot.pk).update(max_order_usd="50")
    response = as_bob.post(
        f"/bots/{paper_bot.pk}/orders", {"intent": "open", "side": "long", "size_usd": "80"}
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "max_order_usd",
        "detail": "Max USD per order is $50.00: $80.00 requested (over by $30.00).",
        "limit_usd": "50.00",
        "requested_usd": "80.00",
        "over_by_usd": "30.00",
    }
    assert Order.objects.count() == 0
