"""The bot page's exits: open rows list their exits with the distance to each trigger, the Edit
exits sheet saves them (errors on the row), a broken stop is loud, closed rows say why they
closed, and the Open form takes an optional take-profit and stop-loss."""

from __future__ import annotations

from decimal import Decimal

import pytest

from egis.exits.models import Exit
from egis.exits.rules import LevelSpec
from egis.ledger.models import Position
from egis.ledger.pipeline import order_open
from tests.support.paper_exits import long_closed_by_take_profit
from tests.web.conftest import inertia, post_json

pytestmark = pytest.mark.django_db(transaction=True)


def _errors(client, bot):
    return inertia(client, f"/bots/{bot.pk}")["props"]["errors"]


def test_the_open_form_takes_exits_and_the_row_shows_them(as_bob, paper_bot):
    answer = post_json(
        as_bob,
        f"/bots/{paper_bot.pk}/orders/open",
        {
            "side": "long",
            "size_usd": "20",
            "take_profit": {"pct": "1"},
            "stop_loss": {"price": "2900"},
        },
    )
    assert answer.status_code in (302, 303)
    props = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]
    [row] = props["open_positions"]
    shown = {e["kind"]: (e["trigger_price"], e["distance_pct"]) for e in row["exits"]}
    assert shown == {"take_profit": ("2963.91", "1.00"), "stop_loss": ("2900", "-1.18")}
    assert row["exits_alert"] == ""


def test_a_bad_exit_on_the_open_form_is_shown_next_to_its_field(as_bob, paper_bot):
    post_json(
        as_bob,
        f"/bots/{paper_bot.pk}/orders/open",
        {"side": "long", "size_usd": "20", "stop_loss": {"price": "3100"}},
    )
    errors = _errors(as_bob, paper_bot)
    assert "below the current price" in errors["stop_loss"]
    assert not Position.objects.exists()
    post_json(
        as_bob,
        f"/bots/{paper_bot.pk}/orders/open",
        {"side": "long", "size_usd": "20", "take_profit": {"pct": "1e3"}},
    )
    assert "exponent" in _errors(as_bob, paper_bot)["take_profit"]


def test_the_edit_sheet_saves_and_refuses_on_the_row(as_bob, paper_bot):
    position = order_open(bot_id=paper_bot.pk, side="short", size_usd="20").position
    url = f"/bots/{paper_bot.pk}/positions/{position.pk}/exits"
    post_json(as_bob, url, {"stop_loss": {"pct": "2"}, "trailing_stop": {"callback_pct": "1"}})
    assert sorted(Exit.objects.filter(status="resting").values_list("kind", flat=True)) == [
        "stop_loss",
        "trailing_stop",
    ]
    post_json(as_bob, url, {"stop_loss": {"price": "2000"}})
    errors = _errors(as_bob, paper_bot)  # filed under the field, for the sheet to show there
    assert "above the current price" in errors[f"exits_{position.pk}.stop_loss"]
    assert Exit.objects.filter(status="resting").count() == 2  # nothing changed
    post_json(as_bob, url, {})
    assert not Exit.objects.filter(status="resting").exists()


def test_someone_elses_position_is_404(client, charlie, paper_bot):
    position = order_open(bot_id=paper_bot.pk, side="long", size_usd="20").position
    client.force_login(charlie)
    url = f"/bots/{paper_bot.pk}/positions/{position.pk}/exits"
    assert post_json(client, url, {"stop_loss": {"pct": "1"}}).status_code == 404
    assert not Exit.objects.exists()


def test_a_broken_stop_is_loud_and_a_closed_row_says_why(as_bob, paper_bot, set_price):
    order_open(
        bot_id=paper_bot.pk,
        side="long",
        size_usd="20",
        exits={"stop_loss": LevelSpec(pct=Decimal("1"))},
    )
    Exit.objects.update(status="failed", error="the venue refused it")
    [row] = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["open_positions"]
    assert row["exits_alert"] == "No active stop: stop-loss failed (the venue refused it)"

    long_closed_by_take_profit(paper_bot.pk, set_price, at="3000", fills_at="3001")
    closed = inertia(as_bob, f"/bots/{paper_bot.pk}")["props"]["closed"]["items"]
    assert [r["close_reason_text"] for r in closed] == ["Take-profit (trigger $3,000.00)"]
