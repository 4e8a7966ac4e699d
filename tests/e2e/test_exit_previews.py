"""Newcomer at 390 px: a valid take-profit's preview disappeared while the stop-loss field was
invalid (and the reverse). Each exit's preview depends only on its own field."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_each_exit_keeps_its_preview_while_the_other_is_invalid(
    page, live_server, log_in, shot, paper_bot
):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_label("Amount (USD)").fill("20")
    tp_hint, sl_hint = page.locator("#take_profit-hint"), page.locator("#stop_loss-hint")
    page.locator("#take_profit").fill("2")
    expect(tp_hint).to_contain_text("Take-profit at $2,993.25")
    # A long's stop-loss in price mode above the price: refused, the take-profit stays.
    page.get_by_role("radiogroup", name="Stop-loss unit").get_by_role("radio", name="Price").click()
    page.locator("#stop_loss").fill("3000")
    expect(page.locator("#stop_loss-error")).to_contain_text("stop-loss must be below")
    expect(tp_hint).to_contain_text("Take-profit at $2,993.25")
    shot("exit-previews-sl-invalid", full_page=False)
    # The reverse: a valid stop-loss keeps its preview while the take-profit is refused.
    page.locator("#stop_loss").fill("2900")
    expect(sl_hint).to_contain_text("Stop-loss at $2,900.00")
    page.locator("#take_profit").fill("abc")
    expect(page.locator("#take_profit-error")).to_be_visible()
    expect(sl_hint).to_contain_text("Stop-loss at $2,900.00")
    expect(tp_hint).to_have_text("")
    shot("exit-previews-tp-invalid", full_page=False)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_take_profit_preview_stays_while_the_stop_loss_is_asked_again(
    page, live_server, log_in, paper_bot
):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_label("Amount (USD)").fill("20")
    tp_hint = page.locator("#take_profit-hint")
    page.locator("#take_profit").fill("2")
    expect(tp_hint).to_contain_text("Take-profit at $2,993.25")
    # Hold the next quotes: while the stop-loss's answer is on its way, the take-profit's own
    # field has not changed, so its preview must not blink out.
    held = []
    page.route("**/quote?**", lambda route: held.append(route))
    page.locator("#stop_loss").fill("1")
    page.wait_for_timeout(800)  # past the typing debounce: the request is held
    assert held, "the stop-loss was not quoted"
    assert "Take-profit at $2,993.25" in tp_hint.inner_text()
    for route in held:
        route.continue_()
    page.unroute("**/quote?**")
    expect(page.locator("#stop_loss-hint")).to_contain_text("Stop-loss at $2,905.21")
    expect(tp_hint).to_contain_text("Take-profit at $2,993.25")
