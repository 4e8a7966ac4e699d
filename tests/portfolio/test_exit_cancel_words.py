"""A hand close cancels the position's take-profit and stop-loss: each line of the audit trail
names its exit ("Take-profit of position #7 cancelled", at its price), never two identical
"Exit cancelled" rows, and by the position's number that the chart and the lists show, never the
exit row's own id. Paper here; Binance in tests/execution/binance/test_exits_cancel_words.py."""

from __future__ import annotations

import pytest

from egis.exits.models import Exit
from egis.exits.rules import parse_changes
from egis.ledger.pipeline import order_close, order_open
from egis.portfolio.activity import event_words, events_page
from tests.web.conftest import inertia

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_hand_close_names_each_cancelled_exit(paper_bot, bob, page_as):
    exits = parse_changes(take_profit="3%", stop_loss="2%")
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="25", exits=exits)
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    sl = Exit.objects.get(position=opened.position, kind="stop_loss")
    pid = opened.position.pk
    assert sl.pk != pid  # the stop-loss row has its own id: the words must not show it

    items = inertia(page_as(bob), f"/bots/{paper_bot.pk}/activity?tab=events")["props"]["list"]
    cancelled = {e["words"]: e["reason"] for e in items["items"] if e["action"] == "exit_cancelled"}
    assert cancelled == {
        f"Take-profit of position #{pid} cancelled": "take-profit at $3,022.60: the position "
        "was closed by hand",
        f"Stop-loss of position #{pid} cancelled": "stop-loss at $2,875.87: the position was "
        "closed by hand",
    }


def test_every_exit_event_is_headed_by_its_exit(paper_bot):
    exits = parse_changes(take_profit="3%", stop_loss="2%")
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="25", exits=exits)
    words = [
        e["words"]
        for e in events_page(paper_bot, viewer=paper_bot.owner).items
        if e["action"] == "exit_set"
    ]
    assert f"Take-profit of position #{opened.position.pk} set" in words
    # Without an exit in its snapshot (an older or foreign row) it reads as before.
    assert event_words("exit_cancelled", {}) == "Exit cancelled"
    assert event_words("exit_cancelled", {"exit_id": 7, "kind": "odd"}, 3) == (
        "Exit of position #3 cancelled"
    )
    assert event_words("exit_cancelled", {"exit_id": 7, "kind": "stop_loss"}) == (
        "Stop-loss cancelled"
    )
    assert event_words("closed", {"exit_id": 7}, 3) == "Closed"
