"""Exits in the browser at 390 px and 1280 px: the Open form's take-profit and stop-loss with the
server's trigger prices, the position's exits and its Edit exits sheet, and the closed row
saying why it closed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from egis.exits.paper_engine import exits_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_open_with_exits_edit_them_and_see_why_it_closed(
    page, live_server, log_in, shot, bob, paper_bot, set_price
):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_label("Amount (USD)").fill("20")
    page.get_by_label("Take-profit", exact=True).fill("1")
    page.get_by_label("Stop-loss", exact=True).fill("1")
    exits = page.get_by_test_id("open-exits")
    expect(exits).to_contain_text("Take-profit at $2,963.91 (+1.00%)")
    expect(exits).to_contain_text("Stop-loss at $2,905.21 (-1.00%)")
    shot("exits-open-form")
    # The "%" / "Price" switches are a thumb's 44 px targets (they were 36 px).
    for radio in page.get_by_role("radiogroup", name="Take-profit unit").get_by_role("radio").all():
        box = radio.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44
    page.get_by_role("button", name="Open", exact=True).click()

    row = page.locator("[data-testid^=open-position-]")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("exit-take_profit")).to_contain_text("2,963.91")
    expect(row.get_by_test_id("exit-stop_loss")).to_contain_text("2,905.21")
    stop_line = row.get_by_test_id("exit-stop_loss")
    expect(stop_line.get_by_test_id("exit-away")).to_have_text("1.00% below price")
    expect(stop_line.get_by_test_id("exit-from-entry")).to_have_text("-1.00% from entry")
    shot("exits-open-position")

    row.get_by_role("button", name="Edit exits").click()
    sheet = page.get_by_role("dialog")
    stop = sheet.get_by_label("Stop-loss", exact=True)
    expect(stop).to_have_value("1")
    sheet.get_by_role("radiogroup", name="Stop-loss unit").get_by_role(
        "radio", name="Price"
    ).click()
    stop.fill("2900")
    shot("exits-edit-sheet", full_page=False)
    sheet.get_by_role("button", name="Save exits").click()
    expect(sheet).to_be_hidden()
    expect(row.get_by_test_id("exit-stop_loss")).to_contain_text("2,900")

    # The stop is crossed: the worker's engine closes the position, the row says why.
    set_price("ETHUSDT", "2895")
    exits_check()
    page.reload()
    expect(page.locator("[data-testid^=open-position-]")).to_have_count(0)
    closed = page.get_by_test_id("closed-positions")
    expect(closed.get_by_test_id("close-reason")).to_have_text("Stop-loss (trigger $2,900.00)")
    shot("exits-closed-by-stop")
