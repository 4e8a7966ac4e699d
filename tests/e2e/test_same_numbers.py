"""Newcomer at 390 px: the same trade carried different "#N" on different screens (an exit's
activity line used the exit row's id, the PnL chart a close count). Every screen now names a
position, and its exits, by the position's number."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from egis.exits.models import Exit
from egis.exits.rules import parse_changes
from egis.ledger.pipeline import order_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_position_and_its_exits_carry_one_number(page, live_server, log_in, shot, paper_bot):
    exits = parse_changes(take_profit="3%", stop_loss="2%")
    for _ in range(2):  # two positions with two exits each: exit ids run ahead of positions'
        opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="10", exits=exits)
    position = opened.position
    tp = Exit.objects.get(position=position, kind="take_profit")
    assert tp.pk != position.pk

    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    row = page.get_by_test_id(f"open-position-{position.pk}")
    expect(row.get_by_test_id("position-number")).to_have_text(f"#{position.pk}")

    page.goto(f"{live_server.url}/bots/{paper_bot.pk}/activity?tab=events")
    events = page.get_by_test_id("activity-event")
    expect(events.filter(has_text=f"Take-profit of position #{position.pk} set")).to_have_count(1)
    expect(events.filter(has_text=f"Stop-loss of position #{position.pk} set")).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text(f"Take-profit #{tp.pk}")
    shot("same-numbers-activity", full_page=False)
