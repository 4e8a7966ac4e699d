"""Newcomer at 390 px: an 80-character unbroken bot name overflowed a toast ("BBBB… paused:
new opens are refused" ran off the screen). The toast wraps the name inside the screen; the bot
card and the page header keep the full name reachable (their title) without overflow."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from egis.bots.services import bot_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "B" * 80  # one unbroken 80-character word


def _inside_the_screen(page, locator, *, wraps: bool = True) -> None:
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"], box
    if wraps:  # nothing cut off either (a truncated title is cut on purpose: its title has it)
        sizes = locator.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
        assert sizes[0] <= sizes[1], sizes


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_toast_naming_a_long_bot_stays_on_the_screen(
    page, live_server, log_in, shot, bob, set_price
):
    set_price("BNBUSDT", "593.1")
    bot = bot_create(owner=bob, name=LONG_NAME, venue="paper", symbol="BNBUSDT", budget_usd="100")
    log_in("bob", "pw-bob-12345")

    page.goto(f"{live_server.url}/bots/{bot.pk}")
    page.get_by_role("button", name="Pause", exact=True).click()
    toast = page.get_by_role("status").filter(has_text="paused").locator("div > div").first
    expect(toast).to_contain_text(LONG_NAME)
    expect(toast).to_contain_text("new opens are refused")
    shot("toast-long-name", full_page=False)
    _inside_the_screen(page, toast)
    message = toast.locator("span").first
    _inside_the_screen(page, message)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The page header and the bot card truncate the name and keep it whole in their title.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_attribute("title", LONG_NAME)
    _inside_the_screen(page, heading, wraps=False)
    page.goto(f"{live_server.url}/")
    card = page.get_by_test_id(f"bot-card-{bot.pk}")
    expect(card.get_by_title(LONG_NAME)).to_have_count(1)
    _inside_the_screen(page, card, wraps=False)
    shot("bot-card-long-name", full_page=False)
