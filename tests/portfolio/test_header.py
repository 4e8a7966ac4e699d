"""The portfolio header: totals over the bots shown (an admin's filter by user), and "all fine"
only when nothing needs attention: no halt, no open incident, every price fresh by the rule the
cards use."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from egis.bots.models import Bot
from egis.bots.selectors import dashboard
from egis.bots.services import bot_create
from egis.ledger.incidents import incident_record
from egis.ledger.pipeline import order_close, order_open
from egis.venues.models import Price
from tests.web.conftest import inertia

pytestmark = pytest.mark.django_db(transaction=True)


def test_all_fine_then_each_thing_that_needs_attention(paper_bot, bob, set_price):
    _, header = dashboard(bob)
    assert header["all_fine"] is True and header["attention"] == []
    assert header["status_text"].startswith("All fine")

    Bot.objects.filter(pk=paper_bot.pk).update(halted_reason="drift: test")
    incident_record(kind="drift", bot_id=paper_bot.pk, payload={"symbol": "ETHUSDT"})
    Price.objects.filter(symbol="ETHUSDT").update(updated_at=timezone.now() - timedelta(hours=1))
    _, header = dashboard(bob)
    assert header["all_fine"] is False
    assert (
        header["attention"][0]
        == "Bob ETH is halted. Egis found a difference it cannot explain (test)."
    )
    assert "Bob ETH has 1 open incident" in header["attention"]
    assert any(line.startswith("The ETHUSDT price is 3600 s old") for line in header["attention"])
    assert header["status_text"] == "3 things need attention."

    Price.objects.all().delete()
    _, header = dashboard(bob)
    assert "No price for ETHUSDT: unrealized PnL is unknown" in header["attention"]


def test_totals_add_up_over_the_bots_and_an_admin_filters_by_user(
    paper_bot, bob, alice, charlie, set_price
):
    other = bot_create(
        owner=charlie, name="Charlie ETH", venue="paper", symbol="ETHUSDT", budget_usd="50"
    )
    for bot in (paper_bot, other):
        opened = order_open(bot_id=bot.pk, side="long", size_usd="20")
        set_price("ETHUSDT", "3000")
        order_close(bot_id=bot.pk, position_id=opened.position.pk)
        set_price("ETHUSDT", "2934.56")
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")

    rows, header = dashboard(alice)
    assert header["bots"] == 2 and header["initial_budget_usd"] == "150.00"
    assert header["closed_count"] == 2 and header["wins"] == 2 and header["win_rate_pct"] == "100"
    shown = sum(Decimal(r["realized_pnl_usd"]) for r in rows)
    assert Decimal(header["realized_pnl_usd"]) == shown  # the header adds up to the cards
    assert header["reserved_usd"] == rows[0]["budget"]["reserved_usd"]  # only Bob's is held
    _, mine = dashboard(alice, owner_id=charlie.pk)
    assert mine["bots"] == 1 and mine["initial_budget_usd"] == "50.00"
    # A user sees only their own, and cannot filter to another's.
    _, bobs = dashboard(bob, owner_id=charlie.pk)
    assert bobs["bots"] == 1 and bobs["initial_budget_usd"] == "100.00"


def test_the_page_sends_the_header_and_the_admin_filter(paper_bot, alice, bob, page_as):
    props = inertia(page_as(alice), f"/?owner={bob.pk}")["props"]
    assert props["owner_filter"] == bob.pk and props["portfolio"]["bots"] == 1
    assert props["owners"] == [{"id": bob.pk, "username": "bob"}]
    assert inertia(page_as(alice), "/?owner=%C2%B2")["props"]["owner_filter"] is None
    props = inertia(page_as(bob), "/")["props"]
    assert props["owners"] is None and props["portfolio"]["all_fine"] is True
