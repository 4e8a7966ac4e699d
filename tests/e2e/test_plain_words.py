"""Newcomer at 390 px: words a trader does not know, on pages. A setting's name
(EGIS_PUBLIC_URL) told a trader nothing (an admin still gets it, as a hint); "Hold" in the
activity; "one-way mode" in a refusal (now: what to close, and why); "mirror" on the incidents
page; SQL, table and column names in the admin's budget Debug list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from egis.ledger.pipeline import order_open
from egis.signals.hooks import hook_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open(page, side: str, usd: str) -> None:
    page.get_by_role("radio", name=side).click()
    page.get_by_label("Amount (USD)").fill(usd)
    page.get_by_role("button", name="Open", exact=True).click()


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_trader_reads_plain_words(page, live_server, log_in, shot, paper_bot):
    hook_create(bot_id=paper_bot.pk)
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")

    # The test server's 127.0.0.1 address: TradingView cannot reach it.
    note = page.get_by_test_id("hook-reach-note")
    expect(note).to_contain_text("TradingView cannot reach")
    expect(note).to_contain_text("ask your Egis admin")
    expect(note).not_to_contain_text("EGIS_PUBLIC_URL")
    note.scroll_into_view_if_needed()
    shot("plain-words-reach-note", full_page=False)

    page.evaluate("window.scrollTo(0, 0)")
    _open(page, "Long", "10")
    expect(page.locator("[data-testid^=open-position-]")).to_have_count(1)
    _open(page, "Short", "10")
    refusal = page.get_by_role("alert").filter(has_text="close the long first")
    expect(refusal).to_contain_text("open on this bot")
    expect(refusal).to_contain_text("one direction per symbol at a time")
    expect(refusal).not_to_contain_text("one-way mode")
    refusal.scroll_into_view_if_needed()
    shot("plain-words-netting", full_page=False)

    page.goto(f"{live_server.url}/bots/{paper_bot.pk}/activity?tab=events")
    events = page.get_by_test_id("activity-event")
    expect(events.filter(has_text="Budget reserved for an open")).to_have_count(1)
    expect(page.get_by_text("Hold", exact=False)).to_have_count(0)
    shot("plain-words-activity", full_page=False)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_an_admin_reads_plain_words_and_the_setting(
    page, live_server, log_in, shot, alice, paper_bot
):
    hook_create(bot_id=paper_bot.pk)
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    log_in("alice", "pw-alice-123")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    expect(page.get_by_test_id("hook-reach-note")).to_contain_text("Admin: set EGIS_PUBLIC_URL")

    page.get_by_role("switch", name="Debug").click()
    trace = page.get_by_test_id("budget-trace")
    expect(trace).to_contain_text("nothing is read from the exchange")
    expect(trace).to_contain_text("the database's own total gives")
    for word in ("SQL", "`positions`", "bot_id", "status = open", "scaled-integer", "size_usd"):
        expect(trace).not_to_contain_text(word)
    trace.scroll_into_view_if_needed()
    shot("plain-words-budget-trace", full_page=False)

    page.goto(f"{live_server.url}/incidents")
    expect(page.get_by_text("No open incidents")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("mirror")
    expect(page.locator("main")).to_contain_text("what each exchange reports")
    shot("plain-words-incidents", full_page=False)
