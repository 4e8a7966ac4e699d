"""Issue 10, section 6 in headless Chromium: the quote, one position per double submit, no
private data on Back after logout, a stale action through login, long names on a phone, errors
where they belong, and the app's own 404 page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from egis.bots.services import bot_create
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_close, order_open

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NAME = "B" * 80  # one unbroken 80-character word


_WIDEST = """() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5).map((e) => `${e.tagName}.${e.className}`.slice(0, 120))"""


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, (width, page.evaluate(_WIDEST))


def test_the_open_form_quotes_and_a_double_submit_opens_one_position(
    page, live_server, log_in, shot, paper_bot
):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    page.get_by_label("Amount (USD)").fill("10")
    # The server's sizing: 10 / 2934.56 rounded down to the 0.001 step.
    expect(page.get_by_test_id("open-quote")).to_have_text(
        "$10.00 buys 0.003 ETH ≈ $8.81 at $2,934.56 (step 0.001 ETH)"
    )
    page.get_by_label("Amount (USD)").fill("1")
    expect(page.get_by_test_id("open-quote")).to_contain_text("Order too small")
    page.get_by_label("Amount (USD)").fill("10")
    expect(page.get_by_test_id("open-quote")).to_contain_text("buys 0.003 ETH")
    shot("open-form-quote")

    # A scripted double submit: the same form render posted twice, back to back.
    page.evaluate(
        """() => { const f = document.querySelector('form:has(#size_usd)');
                   f.requestSubmit(); f.requestSubmit(); }"""
    )
    expect(page.locator("[data-testid^=open-position-]")).to_have_count(1)
    page.reload()
    expect(page.locator("[data-testid^=open-position-]")).to_have_count(1)
    assert Position.objects.filter(bot=paper_bot).count() == 1
    assert Order.objects.filter(bot=paper_bot).count() == 1


def test_back_after_logout_shows_no_private_data(page, live_server, log_in, paper_bot):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    expect(page.get_by_role("heading", name="Bob ETH")).to_be_visible()
    page.get_by_role("link", name="Settings").first.click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    page.get_by_role("button", name="Log out").filter(visible=True).first.click()
    page.wait_for_url(f"{live_server.url}/login")
    for _ in range(2):  # Back to Settings, then Back to the bot page
        page.go_back()
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        expect(page.get_by_text("Bob ETH")).to_have_count(0)
        expect(page.get_by_text("API tokens")).to_have_count(0)


def test_an_action_from_an_expired_session_goes_through_login_back_to_the_page(
    page, live_server, log_in, shot, paper_bot
):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    expect(page.get_by_role("heading", name="Bob ETH")).to_be_visible()
    page.context.clear_cookies(name="sessionid")  # the session expired while the page was open
    page.get_by_label("Amount (USD)").fill("10")
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()  # no blank modal
    assert Order.objects.count() == 0
    page.get_by_label("User name").fill("bob")
    page.get_by_label("Password").fill("pw-bob-12345")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/bots/{paper_bot.pk}")
    expect(page.get_by_role("heading", name="Bob ETH")).to_be_visible()


def test_a_stale_close_answers_on_its_position(page, live_server, log_in, shot, paper_bot):
    first = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    order_close(bot_id=paper_bot.pk, position_id=first.pk)  # closed elsewhere meanwhile
    page.get_by_test_id(f"open-position-{first.pk}").get_by_role("button", name="Close").click()
    page.get_by_role("dialog").get_by_role("button", name="Close position").click()
    row = page.get_by_test_id(f"closed-position-{first.pk}")
    expect(row.get_by_role("alert")).to_contain_text("only open positions close")
    expect(page.locator("#open-error")).to_have_count(0)  # not under the Open form
    shot("stale-close-error")


def test_an_unbroken_80_character_name_keeps_the_phone_layout(
    page, live_server, log_in, shot, bob, set_price
):
    set_price("BNBUSDT", "593.1")
    bot = bot_create(owner=bob, name=LONG_NAME, venue="paper", symbol="BNBUSDT", budget_usd="100")
    log_in("bob", "pw-bob-12345")
    shot("dashboard-long-name")
    _no_sideways_scroll(page)
    page.goto(f"{live_server.url}/bots/{bot.pk}")
    expect(page.get_by_test_id("open-quote")).to_have_count(1)
    shot("bot-detail-long-name")
    _no_sideways_scroll(page)
    page.get_by_role("button", name="Delete…").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(LONG_NAME[:20])
    shot("delete-dialog-long-name", full_page=False)
    sizes = dialog.evaluate("(d) => [d.scrollWidth, d.clientWidth]")
    assert sizes[0] <= sizes[1], sizes
    _no_sideways_scroll(page)
    page.keyboard.press("Escape")
    page.goto(f"{live_server.url}/bots/{bot.pk}/edit")
    _no_sideways_scroll(page)


def test_a_missing_bot_is_the_apps_404_page(page, live_server, log_in, shot, bob):
    log_in("bob", "pw-bob-12345")
    page.get_by_role("link", name="Settings").first.click()
    response = page.goto(f"{live_server.url}/bots/999999")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Not found").first).to_be_visible()
    expect(page.get_by_role("link", name="Back to your bots")).to_be_visible()
    shot("error-404")


def test_an_unbroken_80_character_name_on_the_admin_pages(
    page, live_server, log_in, shot, alice, bob, set_price
):
    from egis.ledger.incidents import incident_record

    set_price("BNBUSDT", "593.1")
    bot = bot_create(owner=bob, name=LONG_NAME, venue="paper", symbol="BNBUSDT", budget_usd="100")
    incident_record(
        kind="unknown_order",
        bot_id=bot.pk,
        client_order_id=f"egis-{bot.pk}-0123456789abcdef0123",
        intent="open",
        error="outcome unknown: timeout after 10 s",
    )
    log_in("alice", "pw-alice-123")
    _no_sideways_scroll(page)
    for url in ["/incidents", "/users", f"/bots/{bot.pk}"]:
        page.goto(f"{live_server.url}{url}")
        page.wait_for_load_state("networkidle")
        _no_sideways_scroll(page)
    page.goto(f"{live_server.url}/incidents")
    shot("incidents-long-name")
