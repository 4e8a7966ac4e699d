"""A newcomer's 390 px pass (27 Nov): the sheets' close "X" was squeezed to 20-25 px wide beside
a long title or description; closed rows wrapped "UTC" alone onto a line, priced a far stop-loss
without separators, and read "Take-profit at $632.37" as if the trade had closed there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from egis.exits.rules import LevelSpec
from egis.ledger.pipeline import order_open
from tests.support.paper_exits import long_closed_by_take_profit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _close_target(dialog) -> dict:
    box = dialog.get_by_role("button", name="Close dialog").bounding_box()
    assert box is not None
    return box


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_every_sheet_close_x_is_a_44px_target(page, live_server, log_in, shot, paper_bot):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_label("Amount (USD)").fill("10")
    page.get_by_role("button", name="Open", exact=True).click()
    row = page.locator("[data-testid^=open-position-]")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Close").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    box = _close_target(dialog)
    assert box["width"] >= 44 and box["height"] >= 44, box
    shot("pass9-close-sheet", full_page=False)
    dialog.get_by_role("button", name="Close dialog").click()
    expect(dialog).to_have_count(0)

    # The webhook's "shown once" sheet: a long description beside the X.
    create = page.get_by_role("button", name="Create webhook")
    create.scroll_into_view_if_needed()
    create.click()
    sheet = page.get_by_role("dialog")
    expect(sheet).to_contain_text("shown only once")
    box = _close_target(sheet)
    assert box["width"] >= 44 and box["height"] >= 44, box
    shot("pass9-webhook-sheet", full_page=False)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_rows_keep_the_clock_with_utc_group_prices_and_call_the_exit_a_trigger(
    page, live_server, log_in, shot, paper_bot, set_price
):
    # A long whose take-profit at $3,000.00 fills at 3001: the row must not read as if the trade
    # closed at $3,000.00.
    long_closed_by_take_profit(paper_bot.pk, set_price, at="3000", fills_at="3001")
    # A short whose stop-loss is far away: its card prices it with separators.
    short = order_open(
        bot_id=paper_bot.pk,
        side="short",
        size_usd="20",
        exits={"stop_loss": LevelSpec(price=Decimal("99999"))},
    ).position
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")

    stop = page.get_by_test_id(f"open-position-{short.pk}").get_by_test_id("exit-stop_loss")
    expect(stop).to_contain_text("99,999.00")
    expect(stop.get_by_test_id("exit-away")).to_have_text("3,232.19% above price")  # from 3001

    closed = page.get_by_test_id("closed-positions")
    expect(closed.get_by_test_id("close-reason")).to_have_text("Take-profit (trigger $3,000.00)")
    expect(closed).to_contain_text("→ 3,001.00")
    # The clock and "UTC" are joined by a no-break space, the whole time kept on one line.
    meta = closed.locator("li").first.locator(".whitespace-nowrap", has_text="UTC")
    assert "\u00a0UTC" in (meta.text_content() or "")
    box = meta.bounding_box()
    assert box is not None and box["height"] < 24, box  # one line of text-xs
    closed.scroll_into_view_if_needed()
    shot("pass9-closed-row", full_page=False)
