"""The cockpit at 390 px in headless Chromium: the portfolio header with its all-fine state, one
line per open position on the card, Pause disabling Open and saying why, the Activity tab, and
an admin's Close all sheet listing what will be sent."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from egis.ledger.incidents import incident_record
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_close, order_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.fixture
def traded(paper_bot, set_price):
    done = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    set_price("ETHUSDT", "3000")
    order_close(bot_id=paper_bot.pk, position_id=done.position.pk)
    kept = order_open(bot_id=paper_bot.pk, side="long", size_usd="30")
    set_price("ETHUSDT", "3010.25")
    return kept


@pytest.mark.parametrize("viewport", ["phone"])
def test_portfolio_header_all_fine_pause_and_activity(page, live_server, log_in, shot, traded):
    bot_id = traded.position.bot_id
    log_in("bob", "pw-bob-12345")
    header = page.get_by_test_id("portfolio-header")
    expect(header).to_be_visible()
    expect(page.get_by_test_id("all-fine")).to_have_text(
        "All fine: no halts, no open incidents, prices are fresh."
    )
    expect(header).to_contain_text("Initial$100.00")
    expect(header).to_contain_text("Closed trades1")
    expect(header).to_contain_text("Win rate100%")
    lines = page.get_by_test_id("open-lines").locator("li")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("Long")
    expect(lines.first).to_contain_text("+$")
    _no_sideways_scroll(page)
    shot("cockpit-bots-list")

    # Pause from the card: the card says who paused it; the list stays "all fine".
    page.get_by_test_id(f"pause-toggle-{bot_id}").click()
    expect(page.get_by_test_id("paused-note")).to_contain_text("Paused by bob at")
    expect(page.get_by_test_id(f"pause-toggle-{bot_id}")).to_have_text("Resume")
    shot("cockpit-bots-list-paused")

    # The bot page: Open is disabled and says why; closes still work.
    page.goto(f"{live_server.url}/bots/{bot_id}")
    expect(page.get_by_role("button", name="Open", exact=True)).to_be_disabled()
    form = page.locator("form:has(#size_usd)")
    reason = re.compile(r"^Paused by bob at .*\sUTC: new opens are refused")
    expect(form.get_by_text(reason)).to_be_visible()
    _no_sideways_scroll(page)
    shot("cockpit-bot-paused")

    # The Activity tab: orders newest first, then the audit trail in words.
    page.get_by_test_id("bot-tabs").get_by_role("link", name="Activity").click()
    expect(page.get_by_test_id("activity-order")).to_have_count(3)
    expect(page.get_by_test_id("activity-order").first).to_contain_text(
        traded.order.client_order_id
    )
    _no_sideways_scroll(page)
    shot("cockpit-activity-orders")
    page.get_by_test_id("activity-tabs").get_by_role("link", name="Audit trail").click()
    expect(page.get_by_test_id("activity-event").first).to_contain_text("Open filled")
    shot("cockpit-activity-events")


@pytest.mark.parametrize("viewport", ["phone"])
def test_attention_and_the_admins_close_all_sheet(page, live_server, log_in, shot, traded, alice):
    bot_id = traded.position.bot_id
    second = order_open(bot_id=bot_id, side="long", size_usd="20")
    incident_record(kind="drift", bot_id=bot_id, payload={"symbol": "ETHUSDT"})
    log_in("alice", "pw-alice-123")
    expect(page.get_by_test_id("needs-attention")).to_contain_text("Bob ETH has 1 open incident")
    expect(page.get_by_test_id("owner-filter")).to_be_visible()
    shot("cockpit-bots-list-attention")

    page.goto(f"{live_server.url}/bots/{bot_id}")
    page.get_by_test_id("close-all").click()
    plan = page.get_by_test_id("close-all-plan").locator("li")
    expect(plan).to_have_count(2)
    expect(plan.first).to_contain_text(f"#{traded.position.pk}")
    shot("cockpit-close-all-sheet", full_page=False)
    page.get_by_role("button", name="Send 2 closes").click()
    expect(page.get_by_text("Close all: 2 of 2 close orders booked.")).to_be_visible()
    assert set(Position.objects.values_list("status", flat=True)) == {"closed"}
    closes = Order.objects.filter(
        intent="close", position_id__in=[traded.position.pk, second.position.pk]
    )
    assert closes.count() == 2
