"""The Open form as a newcomer found it at 390 px: the quote stayed at the price of its first
answer while the page's price moved, refusals came only after tapping Open, an old exit error
stayed after its field was changed (and hid the live refusal of the new value), and after a
successful open the amount stayed filled so a second tap opened a second position."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from egis.bots.models import Bot
from egis.core.money import usd_display
from egis.exits.rules import LevelSpec
from egis.ledger import budget
from egis.ledger.models import Position
from egis.ledger.pipeline import order_close, order_open

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.parametrize("viewport", ["phone"], indirect=True),
]


def _open_page(page, live_server, log_in, bot) -> None:
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{bot.pk}")


def test_the_quote_follows_the_live_price_without_typing(
    page, live_server, log_in, shot, paper_bot, set_price, settings
):
    settings.EGIS_LIVE_REFRESH_SECONDS = 1
    _open_page(page, live_server, log_in, paper_bot)
    page.get_by_label("Amount (USD)").fill("40")
    quote = page.get_by_test_id("open-quote")
    expect(quote).to_contain_text("at $2,934.56")

    set_price("ETHUSDT", "2950.12")  # the feed moves; nobody touches the form
    expect(page.get_by_test_id("feed-price")).to_have_text("2,950.12", timeout=5000)
    expect(quote).to_contain_text("at $2,950.12", timeout=3000)
    expect(quote).not_to_contain_text("2,934.56")
    expect(quote).not_to_have_attribute("data-stale", "true")
    expect(page.get_by_label("Amount (USD)")).to_have_value("40")
    shot("quote-follows-price", full_page=False)


def test_the_quote_says_the_refusal_before_the_tap(page, live_server, log_in, shot, paper_bot):
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    available = usd_display(budget.get_budget(paper_bot).available_usd, toward_zero=True)
    _open_page(page, live_server, log_in, paper_bot)
    amount = page.get_by_label("Amount (USD)")
    refusal = page.get_by_test_id("open-refusal")

    amount.fill("5000")
    expect(refusal).to_have_text(
        f"Open would be refused: Not enough budget. Available: {available}, Requested: $5,000.00"
    )
    expect(page.get_by_test_id("open-quote-summary")).to_contain_text("$5,000.00 buys")
    shot("quote-refusal-budget", full_page=False)

    amount.fill("12")
    expect(refusal).to_have_count(0)  # within the budget and the limit: nothing to say
    Bot.objects.filter(pk=paper_bot.pk).update(max_order_usd=Decimal("15"))
    amount.fill("20")
    expect(refusal).to_have_text(
        "Open would be refused: Max USD per order is $15.00: $20.00 requested (over by $5.00)."
    )
    page.get_by_role("radio", name="Short").click()
    amount.fill("12")
    expect(refusal).to_contain_text("close the long first")
    assert Position.objects.count() == 1  # the quotes reserved and opened nothing
    expect(page.get_by_role("button", name="Open", exact=True)).to_be_enabled()


def test_an_error_belongs_to_the_value_it_was_about(page, live_server, log_in, shot, paper_bot):
    _open_page(page, live_server, log_in, paper_bot)
    page.get_by_label("Amount (USD)").fill("20")
    page.get_by_role("radiogroup", name="Stop-loss unit").get_by_role("radio", name="Price").click()
    stop = page.get_by_label("Stop-loss", exact=True)
    stop.fill("3100")  # a long's stop above the price: refused
    take = page.get_by_label("Take-profit", exact=True)
    page.get_by_role("button", name="Open", exact=True).click()
    stop_error = page.locator("#stop_loss-error")
    expect(stop_error).to_contain_text("A long's stop-loss must be below the current price")
    stop.fill("")
    expect(stop_error).to_have_count(0)  # cleared with the value it was about

    # A take-profit refused on submit, then changed: the live refusal of the new value shows.
    page.get_by_role("radiogroup", name="Take-profit unit").get_by_role(
        "radio", name="Price"
    ).click()
    take.fill("2900")  # a long's take-profit below the price
    page.get_by_role("button", name="Open", exact=True).click()
    take_error = page.locator("#take_profit-error")
    expect(take_error).to_contain_text("take-profit must be above the current price")
    page.get_by_role("radiogroup", name="Take-profit unit").get_by_role("radio", name="%").click()
    take.fill("150")
    expect(take_error).to_contain_text("must be at most 99.99")
    expect(take_error).not_to_contain_text("above the current price")
    shot("open-form-live-exit-refusal", full_page=False)
    assert Position.objects.count() == 0


def test_a_successful_open_clears_the_amount_and_exits_and_keeps_the_result(
    page, live_server, log_in, shot, paper_bot
):
    _open_page(page, live_server, log_in, paper_bot)
    page.get_by_role("radio", name="Short").click()
    amount = page.get_by_label("Amount (USD)")
    amount.fill("20")
    page.get_by_label("Take-profit", exact=True).fill("2")
    page.get_by_label("Stop-loss", exact=True).fill("1")
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.locator("[data-testid^=open-position-]")).to_have_count(1)
    expect(amount).to_have_value("")
    expect(page.get_by_role("radio", name="Short")).to_have_attribute("aria-checked", "true")
    # The exits go with the amount: the next open never carries a take-profit it does not show.
    expect(page.get_by_label("Take-profit", exact=True)).to_have_value("")
    expect(page.get_by_label("Stop-loss", exact=True)).to_have_value("")
    result = page.get_by_test_id("open-result")
    expect(result).to_contain_text("Opened short")
    page.wait_for_timeout(5000)  # the toast fades; the result next to the form stays
    expect(result).to_be_visible()
    shot("open-form-after-open", full_page=False)
    page.get_by_role("button", name="Open", exact=True).click()  # a second tap opens nothing
    page.wait_for_timeout(1000)
    assert Position.objects.count() == 1
    amount.fill("10")
    expect(result).to_have_count(0)  # a new amount: the old result goes


def test_the_exits_say_away_from_the_price_and_from_the_entry(
    page, live_server, log_in, shot, paper_bot, set_price
):
    position = order_open(
        bot_id=paper_bot.pk,
        side="long",
        size_usd="20",
        exits={"take_profit": LevelSpec(pct=Decimal("2"))},
    ).position
    set_price("ETHUSDT", "2920")
    _open_page(page, live_server, log_in, paper_bot)
    line = page.get_by_test_id(f"open-position-{position.pk}").get_by_test_id("exit-take_profit")
    expect(line.get_by_test_id("exit-away")).to_have_text("2.51% above price")
    expect(line.get_by_test_id("exit-from-entry")).to_have_text("+2.00% from entry")
    line.scroll_into_view_if_needed()
    shot("exit-percentages", full_page=False)


def test_a_daily_loss_halt_is_said_once_under_the_open_form(
    page, live_server, log_in, shot, paper_bot, set_price
):
    """Found by a newcomer run: the form said the daily-loss refusal twice, once as the quote's
    "Open would be refused: …" and once as why Open is disabled."""
    Bot.objects.filter(pk=paper_bot.pk).update(daily_loss_limit_usd=Decimal("0.50"))
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="50")
    set_price("ETHUSDT", "2500")
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    _open_page(page, live_server, log_in, paper_bot)
    page.get_by_label("Amount (USD)").fill("10")
    expect(page.get_by_test_id("open-quote-summary")).to_be_visible()
    form = page.locator("form").filter(has=page.get_by_label("Amount (USD)"))
    expect(form.get_by_text("Daily loss limit $0.50 reached")).to_have_count(1)
    expect(page.get_by_test_id("open-refusal")).to_have_count(0)
    expect(page.get_by_role("button", name="Open", exact=True)).to_be_disabled()
    shot("open-form-daily-loss-halt", full_page=False)
