"""The main flows in headless Chromium at 390x844 and 1280x800, with screenshots to look at."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from egis.ledger.incidents import incident_record
from egis.venues.paper.models import PaperPosition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trade_flow_open_close_and_paper_sync(page, live_server, log_in, shot, bob, paper_bot):
    log_in("bob", "pw-bob-12345")
    expect(page.get_by_test_id(f"bot-card-{paper_bot.pk}")).to_contain_text("Bob ETH")
    shot("dashboard-empty-positions")

    page.get_by_test_id(f"bot-card-{paper_bot.pk}").click()
    expect(page.get_by_role("heading", name="Bob ETH")).to_be_visible()

    # Not enough budget: the server's words, inline.
    page.get_by_label("Amount (USD)").fill("200")
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="Not enough budget")).to_have_text(
        "Not enough budget. Available: $100.00, Requested: $200.00"
    )

    # Open $10: 0.003 ETH at 2934.56 = $8.80368 executed, shown as the $8.81 it holds (the
    # Reserved figure next to it), the request as a quiet hint.
    page.get_by_role("radio", name="Long").click()
    page.get_by_label("Amount (USD)").fill("10")
    page.get_by_role("button", name="Open", exact=True).click()
    row = page.locator("[data-testid^=open-position-]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("$8.81")
    expect(row.get_by_test_id("requested-hint")).to_have_text("(requested $10.00)")
    expect(page.get_by_role("status").first).to_contain_text("Opened long $8.81")
    shot("bot-detail-open-position")

    # Sync Paper State: the paper book drifted (its row vanished); dry run, then confirm.
    PaperPosition.objects.filter(bot=paper_bot).delete()
    page.get_by_role("button", name="Sync Paper State").click()
    sheet = page.get_by_role("dialog")
    expect(sheet.get_by_test_id("paper-sync-result")).to_contain_text("Dry run.")
    expect(sheet).to_contain_text("long 0.003 ETH at $2,934.56")
    shot("paper-sync-dry-run", full_page=False)
    sheet.get_by_role("button", name="Confirm").click()
    expect(sheet.get_by_test_id("paper-sync-result")).to_contain_text("Applied")
    assert PaperPosition.objects.filter(bot=paper_bot, status="open").count() == 1
    sheet.get_by_role("button", name="Done").click()
    expect(sheet).to_be_hidden()

    # Close, with confirmation.
    row.get_by_role("button", name="Close").click()
    confirm = page.get_by_role("dialog")
    expect(confirm).to_contain_text("Close position")
    confirm.get_by_role("button", name="Close position").click()
    expect(page.locator("[data-testid^=open-position-]")).to_have_count(0)
    expect(page.get_by_test_id("closed-positions")).to_contain_text("2,934.56 → 2,934.56")
    expect(page.get_by_role("status").first).to_contain_text("Closed long")
    shot("bot-detail-closed")

    # A second dry run finds nothing to do.
    page.get_by_role("button", name="Sync Paper State").click()
    expect(page.get_by_role("dialog")).to_contain_text(
        "Paper state matches the fills. Nothing to do."
    )


def test_user_cannot_reach_other_bots_or_admin_pages(
    page, live_server, log_in, shot, paper_bot, charlie
):
    log_in("charlie", "pw-charlie-1")
    expect(page.get_by_text("No bots yet")).to_be_visible()
    shot("dashboard-empty")
    for url in [f"/bots/{paper_bot.pk}", "/incidents", "/users"]:
        response = page.goto(f"{live_server.url}{url}")
        assert response is not None
        assert response.status in (403, 404), url
    page.goto(f"{live_server.url}/settings")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Incidents"))).to_have_count(0)
    shot("settings-user")


def test_admin_pages(page, live_server, log_in, shot, alice, paper_bot):
    incident_record(
        kind="unknown_order",
        bot_id=paper_bot.pk,
        client_order_id="egis-1-0123456789abcdef0123",
        intent="open",
        error="outcome unknown: timeout after 10 s",
    )
    log_in("alice", "pw-alice-123")
    expect(page.get_by_text("owner bob").or_(page.get_by_text("· bob"))).to_be_visible()
    shot("dashboard-admin")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_role("switch", name="Debug").click()
    expect(page.get_by_test_id("budget-trace")).to_contain_text("available = 100.00 - 0")
    shot("bot-detail-admin-debug")
    page.goto(f"{live_server.url}/incidents")
    expect(page.get_by_text("Order outcome unknown")).to_be_visible()
    shot("incidents")
    page.goto(f"{live_server.url}/users")
    expect(page.get_by_test_id("user-bob")).to_be_visible()
    shot("users")


def test_an_admin_reactivates_a_deactivated_user(page, live_server, log_in, shot, alice, bob):
    log_in("alice", "pw-alice-123")
    page.goto(f"{live_server.url}/users")
    row = page.get_by_test_id("user-bob")
    row.get_by_role("button", name="Deactivate").click()
    page.get_by_role("dialog").get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("Deactivated bob.")).to_be_visible()
    expect(row.get_by_text("Deactivated")).to_be_visible()
    row.get_by_role("button", name="Reactivate").click()
    page.get_by_role("dialog").get_by_role("button", name="Reactivate").click()
    expect(page.get_by_text("Reactivated bob: they can log in again.")).to_be_visible()
    expect(row.get_by_role("button", name="Deactivate")).to_be_visible()
    shot("users-reactivated")
    bob.refresh_from_db()
    assert bob.is_active


def test_login_page(page, live_server, shot, bob):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("User name").fill("bob")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    # The count of attempts left is per account + address (the cache outlives one test).
    expect(page.get_by_role("alert")).to_have_text(
        re.compile(r"^Wrong user name or password\. \d attempts? left from this address\.$")
    )
    shot("login-error")
