"""The Bots dashboard: own bots only (admins: all, with owner), figures as decimal strings."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from egis.bots.services import bot_create
from egis.ledger.incidents import incident_record
from egis.ledger.pipeline import order_open
from tests.web.conftest import inertia

pytestmark = pytest.mark.django_db


def test_user_sees_only_their_own_bots(as_bob, paper_bot, charlie):
    bot_create(owner=charlie, name="Charlie BTC", venue="paper", symbol="BTCUSDT", budget_usd="50")
    page = inertia(as_bob, "/")
    assert page["component"] == "bots/index"
    names = [b["name"] for b in page["props"]["bots"]]
    assert names == ["Bob ETH"]
    assert page["props"]["bots"][0]["owner"] is None
    assert page["props"]["auth"]["user"]["is_admin"] is False


def test_admin_sees_every_bot_with_its_owner(as_alice, paper_bot, charlie):
    bot_create(owner=charlie, name="Charlie BTC", venue="paper", symbol="BTCUSDT", budget_usd="50")
    rows = inertia(as_alice, "/")["props"]["bots"]
    assert {(b["name"], b["owner"]) for b in rows} == {
        ("Bob ETH", "bob"),
        ("Charlie BTC", "charlie"),
    }


def test_empty_dashboard(as_charlie):
    assert inertia(as_charlie, "/")["props"]["bots"] == []


@pytest.mark.django_db(transaction=True)
def test_card_figures_come_from_the_budget_service(as_bob, paper_bot):
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    [row] = inertia(as_bob, "/")["props"]["bots"]
    # ETH at 2934.56, $10 -> 0.003 ETH = $8.80368 reserved; the service's shown cents add up
    # (reserved rounded up, available derived) and the page formats, never computes.
    assert row["budget"] == {
        "initial_budget_usd": "100.00",
        "reserved_usd": "8.81",
        "available_usd": "91.19",
        "reserved_pct": "8.8",
    }
    assert row["open_positions"] == 1
    assert row["unrealized_pnl_usd"] == "0.00"
    # Nothing is closed: realized PnL is 0; the opening fee is named apart, in the hint.
    assert row["realized_pnl_usd"] == "0.00"
    assert "Entry fees already paid on open positions: $0.00440184." in row["realized_pnl_hint"]


def test_halted_bot_and_open_incident_are_flagged(as_bob, paper_bot):
    paper_bot.halted_reason = "drift on ETHUSDT"
    paper_bot.save()
    incident_record(kind="drift", bot_id=paper_bot.pk, error="ledger 0.003, venue 0")
    [row] = inertia(as_bob, "/")["props"]["bots"]
    assert row["halted_reason"] == "drift on ETHUSDT"
    assert row["open_incidents"] == 1


def test_deleted_bots_are_not_listed(as_bob, paper_bot):
    from egis.bots.services import bot_delete

    bot_delete(bot=paper_bot)
    assert inertia(as_bob, "/")["props"]["bots"] == []


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        inertia(client, "/")
    return len(ctx.captured_queries)


def test_dashboard_queries_do_not_grow_with_the_number_of_bots(as_bob, bob, paper_bot):
    one = _queries(as_bob)
    for i in range(6):
        bot_create(owner=bob, name=f"Bob {i}", venue="paper", symbol="ETHUSDT", budget_usd="10")
    assert _queries(as_bob) == one
