"""A newcomer's findings at 390 px: each bot card shows its symbol's price with its age (the
bot page's own price line), loudly stale when the feed is; the Activity tab's orders show every
figure with its unit at the symbol's precision, as the server formatted it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from egis.ledger.pipeline import order_close, order_open
from egis.venues.models import Price

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

phone = pytest.mark.parametrize("viewport", ["phone"], indirect=True)


def _age_feed(seconds: int) -> None:
    Price.objects.filter(symbol="ETHUSDT").update(
        updated_at=Price.objects.get(symbol="ETHUSDT").updated_at - timedelta(seconds=seconds)
    )


@phone
def test_a_bot_card_shows_the_price_and_its_age(page, live_server, log_in, shot, paper_bot):
    _age_feed(5)
    log_in("bob", "pw-bob-12345")
    card = page.get_by_test_id(f"bot-card-{paper_bot.pk}")
    # The bot page's price line, on the card: the price at the symbol's tick and its age.
    line = card.get_by_test_id("price-feed")
    expect(line.get_by_test_id("feed-price")).to_have_text("2,934.56")
    expect(line.get_by_test_id("price-age")).to_have_text(re.compile(r"^\d+ s ago$"))
    shot("card-price")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    expect(page.get_by_test_id("feed-price")).to_have_text("2,934.56")  # the same words


@phone
def test_a_stale_feed_is_stale_on_the_card(page, live_server, log_in, shot, paper_bot, settings):
    settings.EGIS_PRICE_STALE_SECONDS = 30
    order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    _age_feed(180)
    log_in("bob", "pw-bob-12345")
    card = page.get_by_test_id(f"bot-card-{paper_bot.pk}")
    expect(card.get_by_test_id("price-age")).to_have_text("stale · 3 min ago")
    # The unrealized PnL is built on that price: "Stale", not a confident figure.
    expect(card.get_by_test_id("stale-figure")).to_have_count(2)  # and its open line
    shot("card-price-stale")


@phone
def test_activity_orders_show_units_and_precision(page, live_server, log_in, shot, paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="25")
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}/activity")
    figures = page.get_by_test_id("order-figures")
    expect(figures).to_have_count(2)
    # The close filled what it asked, in the same unit: no "(requested ...)" (UI.md).
    expect(figures.nth(0)).to_have_text(re.compile(r"^0\.008 ETH at \$2,934\.\d\d$"))
    expect(figures.nth(1)).to_have_text(
        re.compile(r"^0\.008 ETH at \$2,934\.\d\d \(requested \$25\.00\)$")
    )
    expect(page.get_by_test_id("activity-order").first).to_contain_text(
        re.compile(r"Value \$23\.\d\d · fee \$0\.\d\d")
    )
    shot("activity-orders-units")


@phone
def test_saving_an_empty_notifications_form_says_they_are_off(page, live_server, log_in, shot, bob):
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/settings")
    card = page.get_by_test_id("notifications-card")
    card.get_by_role("button", name="Save").click()
    expect(card.get_by_text("Notifications are off: nothing was saved.")).to_be_visible()
    expect(page.get_by_text("Notifications saved")).to_have_count(0)
    card.get_by_label("Chat id").fill("424242")
    card.get_by_role("button", name="Save").click()
    expect(card.get_by_text("Not saved: Bot token is missing")).to_be_visible()
    card.scroll_into_view_if_needed()
    shot("notifications-half-pair")
