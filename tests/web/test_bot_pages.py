"""Bot detail and its actions: others get 404, admin-only actions 403, orders via the pipeline."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.bots.models import Bot
from egis.ledger.models import Position
from egis.ledger.pipeline import order_close, order_open
from egis.portfolio.pause import bot_set_paused
from egis.venues.paper.models import PaperPosition
from tests.web.conftest import inertia, post_json

db = pytest.mark.django_db
tx = pytest.mark.django_db(transaction=True)


def _open(bot, size="10"):
    return order_open(bot_id=bot.pk, side="long", size_usd=size).position


BOB_ROUTES = [
    ("get", "/bots/{bot}"),
    ("get", "/bots/{bot}/edit"),
    ("post", "/bots/{bot}/edit"),
    ("post", "/bots/{bot}/delete"),
    ("post", "/bots/{bot}/orders/open"),
    ("post", "/bots/{bot}/positions/{pos}/close"),
    ("post", "/bots/{bot}/positions/{pos}/archive"),
    ("post", "/bots/{bot}/paper-sync"),
]


@tx
@pytest.mark.parametrize(("method", "route"), BOB_ROUTES)
def test_another_user_gets_404_for_every_bot_route(as_charlie, paper_bot, method, route):
    position = _open(paper_bot)
    url = route.format(bot=paper_bot.pk, pos=position.pk)
    response = getattr(as_charlie, method)(url, HTTP_X_INERTIA="true")
    assert response.status_code == 404
    # Nothing happened to Bob's bot.
    assert Position.objects.get(pk=position.pk).status == "open"
    assert Bot.objects.get(pk=paper_bot.pk).deleted_at is None


@db
def test_owner_sees_the_detail_without_the_budget_trace(as_bob, paper_bot):
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    assert props["bot"]["name"] == "Bob ETH"
    assert props["budget"]["available_usd"] == "100.00"
    assert props["budget_trace"] is None
    assert props["can_archive"] is False
    assert props["paper_sync"] is True
    # The page pads prices and quantities to the symbol's tick and step.
    assert (props["bot"]["price_tick"], props["bot"]["qty_step"]) == ("0.01", "0.001")


@db
def test_admin_sees_any_bot_with_the_budget_trace(as_alice, paper_bot):
    props = inertia(as_alice, f"/bots/{paper_bot.pk}")["props"]
    assert props["bot"]["owner"] == "bob"
    assert any("available = 100.00 - 0" in step for step in props["budget_trace"])
    assert props["can_archive"] is True


@tx
def test_open_shows_executed_size_and_requested_hint(as_bob, paper_bot):
    response = post_json(
        as_bob, f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "10"}
    )
    assert response.status_code == 303
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    [row] = props["open_positions"]
    assert (row["size_usd"], row["requested_size_usd"], row["qty"]) == ("8.80368", "10.00", "0.003")
    # Shown as the whole cents it holds (budget.shown_hold), as the Reserved next to it.
    assert row["display"]["size_usd"] == props["budget"]["reserved_usd"] == "8.81"
    assert row["mark_price"] == "2934.56"
    assert props["flash"][0]["message"].startswith("Opened long $8.81 (requested $10.00)")


@tx
def test_open_refusal_is_an_inline_message_in_words(as_bob, paper_bot):
    _open(paper_bot, "8.90")
    post_json(as_bob, f"/bots/{paper_bot.pk}/orders/open", {"side": "long", "size_usd": "200"})
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    assert props["errors"] == {"order": "Not enough budget. Available: $91.19, Requested: $200.00"}


@tx
@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"side": "long", "size_usd": "abc"}, "size_usd"),
        ({"side": "long", "size_usd": "1.001"}, "size_usd"),
        ({"side": "sideways", "size_usd": "10"}, "order"),
        ({"side": "long", "size_usd": ["10"]}, "size_usd"),
        ({}, "order"),
    ],
)
def test_bad_open_input_never_crashes(as_bob, paper_bot, body, key):
    response = post_json(as_bob, f"/bots/{paper_bot.pk}/orders/open", body)
    assert response.status_code == 303
    assert key in inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["errors"]
    assert not Position.objects.exists()


@tx
def test_close_books_the_exit_and_lists_it_as_closed(as_bob, paper_bot):
    position = _open(paper_bot)
    response = post_json(as_bob, f"/bots/{paper_bot.pk}/positions/{position.pk}/close", {})
    assert response.status_code == 303
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    assert props["open_positions"] == []
    [closed] = props["closed"]["items"]
    assert closed["exit_price"] == "2934.56"
    # The chart shows the closed row as shown: -$0.0088 is -$0.01 in whole cents.
    assert closed["net_realized_pnl_usd"] == "-0.00880368"
    assert closed["display"]["net_realized_pnl_usd"] == "-0.01"
    assert props["pnl_series"][0]["cumulative_usd"] == "-0.01"
    assert props["bot"]["realized_pnl_usd"] == "-0.01"
    assert props["bot"]["realized_pnl_exact_usd"] == "-0.00880368"
    # A second close is refused in words, not a crash.
    post_json(as_bob, f"/bots/{paper_bot.pk}/positions/{position.pk}/close", {})
    errors = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["errors"]
    assert "only open positions close" in errors[f"position_{position.pk}"]


@tx
def test_closed_positions_are_paginated(as_bob, paper_bot):
    for _ in range(12):
        order_close(bot_id=paper_bot.pk, position_id=_open(paper_bot).pk)
    first = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["closed"]
    second = inertia(as_bob, f"/bots/{paper_bot.pk}?page=2")["props"]["closed"]
    assert (first["total"], first["pages"], len(first["items"])) == (12, 2, 10)
    assert len(second["items"]) == 2
    assert inertia(as_bob, f"/bots/{paper_bot.pk}?page=zzz")["props"]["closed"]["page"] == 1


@tx
def test_delete_is_refused_while_a_position_is_open(as_bob, paper_bot):
    position = _open(paper_bot)
    as_bob.post(f"/bots/{paper_bot.pk}/delete")
    assert Bot.objects.get(pk=paper_bot.pk).deleted_at is None
    order_close(bot_id=paper_bot.pk, position_id=position.pk)
    response = as_bob.post(f"/bots/{paper_bot.pk}/delete")
    assert response["Location"] == "/"
    assert Bot.objects.get(pk=paper_bot.pk).deleted_at is not None
    assert Position.objects.filter(pk=position.pk).exists()  # history stays
    assert as_bob.get(f"/bots/{paper_bot.pk}").status_code == 404


@tx
def test_archive_is_admin_only_and_never_erases(as_bob, paper_bot, alice, client):
    position = _open(paper_bot)
    order_close(bot_id=paper_bot.pk, position_id=position.pk)
    assert as_bob.post(f"/bots/{paper_bot.pk}/positions/{position.pk}/archive").status_code == 403
    client.force_login(alice)
    assert client.post(f"/bots/{paper_bot.pk}/positions/{position.pk}/archive").status_code == 303
    position.refresh_from_db()
    assert position.archived_at is not None
    assert inertia(client, f"/bots/{paper_bot.pk}")["props"]["closed"]["total"] == 0


@tx
def test_archive_refuses_an_open_position(as_alice, paper_bot):
    position = _open(paper_bot)
    as_alice.post(f"/bots/{paper_bot.pk}/positions/{position.pk}/archive")
    position.refresh_from_db()
    assert position.archived_at is None


@tx
def test_paper_sync_dry_run_then_confirm(as_bob, paper_bot):
    _open(paper_bot)
    PaperPosition.objects.filter(bot=paper_bot).delete()  # the paper book drifted from its fills
    url = f"/bots/{paper_bot.pk}/paper-sync"
    dry = as_bob.post(url, data='{"confirm": false}', content_type="application/json").json()
    assert dry["applied"] is False
    assert [c["action"] for c in dry["changes"]] == ["create"]
    assert dry["changes"][0]["after"] == "long 0.003 ETH at $2,934.56"
    assert not PaperPosition.objects.filter(bot=paper_bot).exists()  # a dry run changes nothing
    done = as_bob.post(url, data='{"confirm": true}', content_type="application/json").json()
    assert done["applied"] is True
    assert done["counts"]["create"] == 1
    again = as_bob.post(url, data='{"confirm": false}', content_type="application/json").json()
    assert again["changes"] == []
    assert again["message"] == "Paper state matches the fills. Nothing to do."


@db
def test_paper_sync_rejects_garbage_bodies(as_bob, paper_bot):
    url = f"/bots/{paper_bot.pk}/paper-sync"
    assert as_bob.post(url, data="{", content_type="application/json").status_code == 400
    # Anything but a literal true is a dry run.
    response = as_bob.post(url, data='{"confirm": "yes"}', content_type="application/json")
    assert response.json()["applied"] is False


@db
def test_create_and_edit_a_bot(as_bob, bob, set_price):
    assert inertia(as_bob, "/bots/new")["component"] == "bots/form"
    response = post_json(
        as_bob,
        "/bots/new",
        {
            "name": "New",
            "venue": "paper",
            "symbol": "btcusdt",
            "budget_usd": "250.00",
            "leverage": "2",
        },
    )
    bot = Bot.objects.get(name="New")
    assert response["Location"] == f"/bots/{bot.pk}"
    assert (bot.owner, bot.symbol, bot.leverage) == (bob, "BTCUSDT", 2)
    post_json(
        as_bob,
        f"/bots/{bot.pk}/edit",
        {"name": "Renamed", "budget_usd": "300", "leverage": "3", "is_active": False},
    )
    bot.refresh_from_db()
    assert (bot.name, str(bot.initial_budget_usd), bot.leverage, bot.is_active) == (
        "Renamed",
        "300.00000000",
        3,
        False,
    )


@db
def test_bad_bot_forms_show_errors(as_bob):
    post_json(
        as_bob,
        "/bots/new",
        {"name": "", "venue": "paper", "symbol": "X", "budget_usd": "1", "leverage": "1"},
    )
    # The error sits next to the field that caused it (issue 10), and every field's at once: a
    # newcomer fixed an empty form in five submits, one message each.
    errors = inertia(as_bob, "/bots/new")["props"]["errors"]
    assert errors["name"] == "Name is required."
    assert errors["symbol"].startswith("The paper venue does not list X; known: ")
    assert set(errors) == {"name", "symbol"}
    post_json(as_bob, "/bots/new", {"name": "A", "venue": "paper", "symbol": "X", "leverage": "x"})
    errors = inertia(as_bob, "/bots/new")["props"]["errors"]
    assert set(errors) == {"symbol", "budget_usd", "leverage"}
    assert errors["leverage"].startswith("Leverage must be a whole number")
    post_json(as_bob, "/bots/new", {})
    errors = inertia(as_bob, "/bots/new")["props"]["errors"]
    assert set(errors) >= {"name", "symbol", "budget_usd"}
    post_json(
        as_bob,
        "/bots/new",
        {"name": "A", "venue": "paper", "symbol": "ETHUSDT", "budget_usd": "100", "leverage": "1"}
        | {"max_open_positions": "0", "cooldown_s": "x"},
    )
    errors = inertia(as_bob, "/bots/new")["props"]["errors"]
    assert set(errors) == {"max_open_positions", "cooldown_s"}  # each limit's, not the first's
    post_json(
        as_bob,
        "/bots/new",
        {
            "name": "",
            "venue": "binance_futures",
            "symbol": "BTCUSDT",
            "budget_usd": "100",
            "leverage": "1",
        }
        | {"exchange_account": "999999"},
    )
    errors = inertia(as_bob, "/bots/new")["props"]["errors"]
    assert errors == {
        "name": "Name is required.",
        "exchange_account": "Choose one of your accounts.",
    }
    assert not Bot.objects.exists()


@tx
def test_realized_pnl_is_the_closed_rows_sum_and_open_entry_fees_are_apart(as_bob, paper_bot):
    closed = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position
    order_close(bot_id=paper_bot.pk, position_id=closed.pk)
    still_open = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    closed_row = Position.objects.get(pk=closed.pk)
    entry_fee = Position.objects.get(pk=still_open.pk).fees_usd
    assert entry_fee > 0
    closed_net = closed_row.realized_pnl_usd - closed_row.fees_usd
    assert Decimal(props["bot"]["realized_pnl_exact_usd"]) == closed_net
    assert Decimal(props["bot"]["realized_pnl_usd"]) == closed_net.quantize(Decimal("0.01"))
    assert f"open positions: ${entry_fee.normalize():f}." in props["bot"]["realized_pnl_hint"]


@db
def test_the_edit_form_of_a_paused_bot_says_it_is_paused(as_bob, bob, paper_bot):
    """ "Active" on the edit form is not "running": a paused bot is still active. The form says
    it is paused, by whom and since when, so a ticked "Active" is not read as "trading"."""
    form = inertia(as_bob, f"/bots/{paper_bot.pk}/edit")["props"]["bot"]
    assert form["paused_note"] == ""
    bot_set_paused(bot_id=paper_bot.pk, paused=True, actor=bob)
    form = inertia(as_bob, f"/bots/{paper_bot.pk}/edit")["props"]["bot"]
    assert form["is_active"] is True
    assert form["paused_note"].startswith("Paused by bob at ")
    assert "Resume the bot to open again" in form["paused_note"]
