"""The exits API: set with an open, PUT on a position, listed per bot; refusals are clear 422s
(or 409 for a position that cannot take exits) and write nothing."""

from __future__ import annotations

import json

import pytest

from egis.exits.models import Exit
from egis.ledger.models import Position

pytestmark = pytest.mark.django_db(transaction=True)


def _put(client, bot_id, position_id, body):
    return client.client.put(
        f"/api/v1/bots/{bot_id}/positions/{position_id}/exits",
        data=json.dumps(body),
        content_type="application/json",
        headers=client.headers,
    )


def _open(as_bob, bot, **extra):
    body = {"intent": "open", "side": "long", "size_usd": "20", **extra}
    response = as_bob.post(f"/bots/{bot.pk}/orders", body)
    assert response.status_code == 201, response.content
    return response.json()["position"]


def test_an_open_carries_its_exits_and_the_list_shows_them(as_bob, paper_bot):
    position = _open(
        as_bob,
        paper_bot,
        take_profit={"pct": "1"},
        stop_loss={"price": "2900"},
        trailing_stop={"callback_pct": "2", "activation_price": "3000"},
    )
    listed = as_bob.get(f"/bots/{paper_bot.pk}/exits").json()
    [row] = listed["positions"]
    assert row["position_id"] == position["id"]
    assert row["alert"] == ""
    by_kind = {e["kind"]: e for e in row["exits"]}
    assert by_kind["take_profit"]["trigger_price"] == "2963.91"  # 2934.56 x 1.01, at the tick
    assert by_kind["take_profit"]["distance_pct"] == "1.00"
    assert by_kind["stop_loss"]["trigger_price"] == "2900"
    assert by_kind["stop_loss"]["distance_pct"] == "-1.18"
    assert by_kind["trailing_stop"]["trigger_price"] is None  # waits for 3000
    assert by_kind["trailing_stop"]["activation_price"] == "3000"
    assert all(e["status"] == "resting" for e in row["exits"])


def test_put_replaces_the_exits_and_an_empty_body_removes_them(as_bob, paper_bot):
    position = _open(as_bob, paper_bot, take_profit={"pct": "1"})
    response = _put(as_bob, paper_bot.pk, position["id"], {"stop_loss": {"pct": "2"}})
    assert response.status_code == 200, response.content
    assert [e["kind"] for e in response.json()["exits"]] == ["stop_loss"]
    assert Exit.objects.get(kind="take_profit").status == "cancelled"
    response = _put(as_bob, paper_bot.pk, position["id"], {})
    assert response.status_code == 200
    assert response.json()["exits"] == []
    assert not Exit.objects.filter(status="resting").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stop_loss": {"price": "3000"}}, "stop_loss.price"),
        ({"take_profit": {"price": "2000"}}, "take_profit.price"),
        ({"take_profit": {"price": "3000.001"}}, "take_profit.price"),
        ({"take_profit": {"pct": "1e1"}}, "take_profit.pct"),
        ({"take_profit": {"pct": "-1"}}, "take_profit.pct"),
        ({"stop_loss": {"pct": "100"}}, "stop_loss.pct"),
        ({"take_profit": {"price": "3000", "pct": "1"}}, "take_profit"),
        ({"take_profit": {}}, "take_profit"),
        ({"trailing_stop": {"callback_pct": "20"}}, "trailing_stop.callback_pct"),
        ({"trailing_stop": {"callback_pct": "1", "activation_price": "2000"}}, None),
        ({"stop_loss": {"price": "2900", "extra": "1"}}, None),
        ({"take_profit": "1%"}, None),
    ],
)
def test_refusals_are_422_and_write_nothing(as_bob, paper_bot, body, field):
    position = _open(as_bob, paper_bot)
    response = _put(as_bob, paper_bot.pk, position["id"], body)
    assert response.status_code == 422, response.content
    if field:
        assert field in {e["field"] for e in response.json()["errors"]}, response.content
    assert not Exit.objects.exists()


def test_a_bad_exit_refuses_the_open_before_anything_is_sent(as_bob, paper_bot):
    body = {"intent": "open", "side": "short", "size_usd": "20", "stop_loss": {"price": "2000"}}
    response = as_bob.post(f"/bots/{paper_bot.pk}/orders", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "stop_loss.price"
    assert "short's stop-loss must be above the current price" in response.json()["detail"]
    assert not Position.objects.exists()


def test_a_close_with_exits_is_refused(as_bob, paper_bot):
    position = _open(as_bob, paper_bot)
    body = {"intent": "close", "position_id": position["id"], "stop_loss": {"pct": "1"}}
    assert as_bob.post(f"/bots/{paper_bot.pk}/orders", body).status_code == 422


def test_exits_of_a_closed_position_or_another_users_bot(as_bob, paper_bot, charlie, api_as):
    position = _open(as_bob, paper_bot)
    as_bob.post(f"/bots/{paper_bot.pk}/orders", {"intent": "close", "position_id": position["id"]})
    response = _put(as_bob, paper_bot.pk, position["id"], {"stop_loss": {"pct": "1"}})
    assert response.status_code == 409
    assert response.json()["code"] == "position_not_open"
    stranger = api_as(charlie)
    assert _put(stranger, paper_bot.pk, position["id"], {}).status_code == 404
    assert stranger.get(f"/bots/{paper_bot.pk}/exits").status_code == 404


def test_the_closed_position_says_why(as_bob, paper_bot, set_price):
    from egis.exits.paper_engine import exits_check

    _open(as_bob, paper_bot, stop_loss={"price": "2900"})
    set_price("ETHUSDT", "2890")
    exits_check()
    [row] = as_bob.get(f"/bots/{paper_bot.pk}/positions?status=closed").json()["items"]
    assert row["close_reason"] == "stop_loss"


def test_the_quote_gives_the_trigger_prices(as_bob, paper_bot):
    url = f"/bots/{paper_bot.pk}/quote?size_usd=20&side=short&take_profit=2%25&stop_loss=3000"
    body = as_bob.get(url).json()
    assert [(e["kind"], e["trigger_price"]) for e in body["exits"]] == [
        ("take_profit", "2875.87"),
        ("stop_loss", "3000"),
    ]
    assert body["exits"][0]["summary"] == "Take-profit at $2,875.87 (-2.00%)"
    far = f"/bots/{paper_bot.pk}/quote?size_usd=20&side=short&take_profit=1&stop_loss=99999"
    summaries = [e["summary"] for e in as_bob.get(far).json()["exits"]]
    # The distance grouped like the price before it (was "(+3307.63 %)"; no space before "%").
    assert summaries == ["Take-profit at $1.00 (-99.97%)", "Stop-loss at $99,999.00 (+3,307.63%)"]
    bad = as_bob.get(f"/bots/{paper_bot.pk}/quote?size_usd=20&stop_loss=3000").json()
    assert bad["exits_error"]["field"] == "stop_loss.price"
    assert bad["summary"]  # the size is still quoted


def test_each_exit_is_quoted_on_its_own(as_bob, paper_bot):
    # Newcomer at 390 px: a valid take-profit's preview vanished while the stop-loss was invalid
    # (and the reverse): one refused exit emptied the whole list.
    base = f"/bots/{paper_bot.pk}/quote?size_usd=20&side=long"
    body = as_bob.get(f"{base}&take_profit=2%25&stop_loss=3000").json()  # the SL is above price
    assert [e["kind"] for e in body["exits"]] == ["take_profit"]
    assert [e["field"] for e in body["exits_errors"]] == ["stop_loss.price"]
    assert body["exits_error"]["field"] == "stop_loss.price"  # the first one, as before
    body = as_bob.get(f"{base}&take_profit=abc%25&stop_loss=1%25").json()
    assert [e["kind"] for e in body["exits"]] == ["stop_loss"]
    assert [e["field"] for e in body["exits_errors"]] == ["take_profit.pct"]
    both = as_bob.get(f"{base}&take_profit=2000&stop_loss=3000").json()
    assert both.get("exits", []) == []
    assert [e["field"] for e in both["exits_errors"]] == ["take_profit.price", "stop_loss.price"]
    fine = as_bob.get(f"{base}&take_profit=2%25").json()
    assert "exits_errors" not in fine and "exits_error" not in fine
