"""Newcomer at 390 px: typing a small amount made the quote answer HTTP 422, which the browser
logs as a console error on every keystroke's quote. An amount below the smallest order is a
normal answer (200): the form says why, naming the smallest amount, and the console stays clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_small_amount_is_explained_without_a_console_error(
    page, live_server, log_in, shot, paper_bot
):
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on(
        "response",
        lambda r: (
            failed.append(f"{r.status} {r.url}") if "/quote" in r.url and r.status >= 400 else None
        ),
    )
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    amount = page.get_by_label("Amount (USD)")
    amount.fill("1")
    quote = page.get_by_test_id("open-quote")
    expect(quote).to_contain_text("Order too small")
    expect(quote).to_contain_text("so the smallest amount that opens is $")
    expect(quote).to_contain_text(" ETH at $2,934.56)")
    # Said as the Open would say it, not as "Open would be refused: ..." over a summary.
    expect(page.get_by_test_id("open-quote-summary")).to_have_count(0)
    amount.fill("2")
    expect(quote).to_contain_text("$2.00 at $2,934.56 buys less than the minimum quantity")
    shot("quote-below-minimum", full_page=False)
    # Still a real quote once the amount is enough.
    amount.fill("10")
    expect(page.get_by_test_id("open-quote-summary")).to_contain_text("$10.00 buys 0.003 ETH")
    assert failed == [], failed
    assert errors == [], errors


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_small_amount_keeps_the_take_profit_preview(page, live_server, log_in, paper_bot):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_label("Amount (USD)").fill("10")
    page.locator("#take_profit").fill("2")
    tp = page.get_by_test_id("open-exits")
    expect(tp).to_contain_text("Take-profit at $")
    page.get_by_label("Amount (USD)").fill("1")
    expect(page.get_by_test_id("open-quote")).to_contain_text("Order too small")
    expect(tp).to_contain_text("Take-profit at $")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_small_amounts_reason_at_an_old_price_is_not_drawn_under_repricing(
    page, live_server, log_in, shot, paper_bot, set_price, settings
):
    # Seen on the demo at 390 px: "Repricing…" was drawn over the reason, both unreadable. The
    # reason names prices ("... opens is $20.55 (0.007 ETH at $2,934.56)"): at an older
    # price than the page shows it is hidden, its room kept, like the quote's summary.
    settings.EGIS_LIVE_REFRESH_SECONDS = 1
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_label("Amount (USD)").fill("1")
    quote = page.get_by_test_id("open-quote")
    expect(quote).to_contain_text(" ETH at $2,934.56)")
    held = []
    page.route("**/quote?**", lambda route: held.append(route))  # the re-quote waits
    set_price("ETHUSDT", "2950.12")
    expect(page.get_by_test_id("feed-price")).to_have_text("2,950.12", timeout=5000)
    expect(quote).to_have_attribute("data-stale", "true")
    expect(quote).to_contain_text("Repricing…")
    expect(page.get_by_test_id("open-refusal")).not_to_be_visible()
    shot("quote-below-minimum-repricing", full_page=False)
    for route in held:
        route.continue_()
    page.unroute("**/quote?**")
    expect(quote).to_contain_text(" ETH at $2,950.12)")
    expect(page.get_by_test_id("open-refusal")).to_be_visible()
