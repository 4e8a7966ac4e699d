"""Unrealized PnL as shown adds up: each open line in whole cents (`shown_unrealized`), a bot's
card the sum of its lines' shown cents, the portfolio header the sum of the cards' shown figures,
the bot page's rows and its Unrealized the same. Prices are chosen so that rounding each line
(0.134 -> 0.13) and rounding the exact sum (0.402 -> 0.40) give different cents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.bots.selectors import bot_detail, dashboard
from egis.bots.services import bot_create
from egis.ledger.models import Position
from egis.ledger.pipeline import order_open

pytestmark = pytest.mark.django_db(transaction=True)


def _open_at(bot, entry: str, qty: str) -> Position:
    """An open position with a known entry and quantity (the fill's slippage set aside)."""
    opened = order_open(bot_id=bot.pk, side="long", size_usd="20")
    Position.objects.filter(pk=opened.position.pk).update(
        entry_price=Decimal(entry), qty=Decimal(qty)
    )
    return opened.position


def test_cards_add_up_to_their_lines_and_the_header_to_the_cards(paper_bot, bob, set_price):
    second = bot_create(
        owner=bob, name="Bob ETH 2", venue="paper", symbol="ETHUSDT", budget_usd="100.00"
    )
    _open_at(paper_bot, "3000.00", "0.01")
    _open_at(paper_bot, "3000.00", "0.01")
    _open_at(second, "3000.00", "0.01")
    set_price("ETHUSDT", "3013.40")  # +0.134 per position: exact 0.268 on one bot, 0.402 in all

    rows, header = dashboard(bob)
    by_name = {r["name"]: r for r in rows}
    first_card = by_name["Bob ETH"]
    assert [line["unrealized_shown_usd"] for line in first_card["open_lines"]] == ["0.13", "0.13"]
    assert first_card["unrealized_pnl_usd"] == "0.26"  # not the rounded exact sum, 0.27
    assert first_card["unrealized_pnl_exact_usd"] == "0.268"
    assert by_name["Bob ETH 2"]["unrealized_pnl_usd"] == "0.13"
    assert header["unrealized_shown_usd"] == "0.39"  # the cards' sum, not 0.40
    assert header["unrealized_pnl_usd"] == "0.402"  # exact, for the hint

    page = bot_detail(bob, paper_bot)
    shown_rows = [Decimal(p["unrealized_pnl_usd"]) for p in page["open_positions"]]
    assert shown_rows == [Decimal("0.13"), Decimal("0.13")]
    assert page["bot"]["unrealized_pnl_usd"] == "0.26" == f"{sum(shown_rows):.2f}"
    assert {p["unrealized_pnl_exact_usd"] for p in page["open_positions"]} == {"0.134"}


def test_a_loss_rounds_half_away_from_zero_and_no_price_is_unknown(paper_bot, bob, set_price):
    _open_at(paper_bot, "3000.00", "0.01")
    set_price("ETHUSDT", "2999.50")  # -0.005 each: shown -0.01, never "-0.00"
    rows, header = dashboard(bob)
    assert rows[0]["unrealized_pnl_usd"] == "-0.01"
    assert header["unrealized_shown_usd"] == "-0.01"
