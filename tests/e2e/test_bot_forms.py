"""The bot page's forms as a newcomer found them: the Edit exits sheet kept neither its input nor
its error on a refusal, an amount's refusal was said twice, and the Open form's take-profit and
stop-loss inputs were too narrow to read in the desktop layout."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from egis.ledger.pipeline import order_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_edit_keeps_the_sheet_open_with_the_input_and_the_error_by_its_field(
    page, live_server, log_in, shot, paper_bot
):
    position = order_open(bot_id=paper_bot.pk, side="long", size_usd="20").position
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_test_id(f"edit-exits-{position.pk}").click()
    sheet = page.get_by_role("dialog")
    sheet.get_by_label("Take-profit", exact=True).fill("2")
    sheet.get_by_role("radiogroup", name="Stop-loss unit").get_by_role(
        "radio", name="Price"
    ).click()
    stop = sheet.get_by_label("Stop-loss", exact=True)
    stop.fill("3100")  # a long's stop above the price: the server refuses it
    sheet.get_by_role("button", name="Save exits").click()

    error = sheet.locator(f"#sl-{position.pk}-error")
    expect(error).to_have_text(
        "A long's stop-loss must be below the current price $2,934.56 (asked $3,100.00)"
    )
    expect(sheet).to_be_visible()
    expect(stop).to_have_value("3100")
    expect(stop).to_have_attribute("aria-invalid", "true")
    expect(sheet.get_by_label("Take-profit", exact=True)).to_have_value("2")
    expect(sheet.locator(f"#tp-{position.pk}-error")).to_have_count(0)
    # The sheet survives the page's live refresh with what was typed and the error.
    page.wait_for_timeout(3500)
    expect(stop).to_have_value("3100")
    expect(error).to_be_visible()
    shot("edit-exits-refused", full_page=False)

    sheet.get_by_label("Trailing stop %").fill("50")
    stop.fill("2900")
    sheet.get_by_role("button", name="Save exits").click()
    expect(sheet.locator(f"#trail-{position.pk}-error")).to_have_text(
        "Trailing stop %: must be at most 10"
    )
    expect(error).to_have_count(0)
    sheet.get_by_label("Trailing stop %").fill("")
    sheet.get_by_role("button", name="Save exits").click()
    expect(sheet).to_be_hidden()
    row = page.get_by_test_id(f"open-position-{position.pk}")
    expect(row.get_by_test_id("exit-stop_loss")).to_contain_text("2,900")
    expect(row.get_by_test_id("exit-take_profit")).to_contain_text("2,993.25")


def test_an_amount_refusal_is_said_once_next_to_the_amount(page, live_server, log_in, paper_bot):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    amount = page.get_by_label("Amount (USD)")
    amount.fill("1")
    expect(page.get_by_test_id("open-quote")).to_contain_text("Order too small")
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.locator("#open-error")).to_contain_text("Order too small")
    expect(page.get_by_text("Order too small")).to_have_count(1)
    page.wait_for_timeout(1000)  # the quote of the same amount answers again: still once
    expect(page.get_by_text("Order too small")).to_have_count(1)
    # A new amount: the old answer goes, the quote speaks for the new one.
    amount.fill("2")
    expect(page.get_by_test_id("open-quote")).to_contain_text("$2.00 at ")
    expect(page.locator("#open-error")).to_have_count(0)
    expect(page.get_by_text("Order too small")).to_have_count(1)


@pytest.mark.parametrize("width", [390, 1024, 1280])
def test_the_exit_inputs_are_wide_enough_to_read(
    page, live_server, log_in, paper_bot, viewport, width
):
    if viewport != "phone":
        pytest.skip("the widths are set by the test itself")
    page.set_viewport_size({"width": width, "height": 900})
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_label("Amount (USD)").fill("20")
    for label, value in (("Take-profit", "2963.91"), ("Stop-loss", "2905.21")):
        page.get_by_role("radiogroup", name=f"{label} unit").get_by_role(
            "radio", name="Price"
        ).click()
        field = page.get_by_label(label, exact=True)
        field.fill(value)
        box = field.evaluate("e => ({client: e.clientWidth, scroll: e.scrollWidth})")
        assert box["client"] >= 120, (width, label, box)
        assert box["scroll"] <= box["client"], (width, label, box)  # the whole value shows
    expect(page.get_by_test_id("open-exits")).to_contain_text("Stop-loss at $2,905.21")
    page.get_by_test_id("open-exits").scroll_into_view_if_needed()
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("form").filter(has=page.get_by_label("Amount (USD)")).screenshot(
        path=str(ARTIFACTS / f"open-form-exits-{width}.png")
    )


def test_a_refused_new_bot_marks_every_field_it_names(page, live_server, log_in, bob):
    """Every field's problem is shown at once, and each field it names is marked (a newcomer saw
    red borders on the risk limits only, not on the symbol, budget or leverage)."""
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/new")
    page.get_by_label("Name").fill("Mine")
    page.get_by_label("Symbol").fill("FOOBAR")
    page.get_by_label("Budget (USD)").fill("-5")
    page.get_by_label("Leverage").fill("500")
    page.get_by_role("button", name="Create bot").click()
    for field in ("symbol", "budget_usd", "leverage"):
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#name")).not_to_have_attribute("aria-invalid", "true")
