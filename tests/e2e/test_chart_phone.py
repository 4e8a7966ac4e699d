"""The price chart with a busy quarter hour of trades, as a newcomer saw it: at 390 px the marker
labels piled into an unreadable cluster. Markers keep their shapes; their words only where they
have room. (The axis's 24-hour UTC labels are unit-tested in frontend/tests/chart-axis.test.ts.)"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from egis.exits.rules import parse_changes
from egis.exits.services import exits_set
from egis.ledger.models import Position
from egis.ledger.pipeline import order_close, order_open
from egis.venues.models import PricePoint
from egis.venues.prices.sources import price_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _busy_quarter_hour(paper_bot) -> int:
    """300 prices 3 s apart and 14 trades opened and closed among them: 28 markers."""
    start = timezone.now() - timedelta(seconds=900)
    PricePoint.objects.all().delete()
    for i in range(300):
        price = Decimal("2934.56") + Decimal((i * 37) % 41 - 20) + Decimal(i) / 10
        price_set(symbol="ETHUSDT", price=price, source="fixed")
    points = list(PricePoint.objects.filter(symbol="ETHUSDT").order_by("id"))
    for i, point in enumerate(points):
        PricePoint.objects.filter(pk=point.pk).update(at=start + timedelta(seconds=3 * i))
    for n in range(14):
        opened = start + timedelta(seconds=30 + 60 * n)
        pid = order_open(bot_id=paper_bot.pk, side="long", size_usd="6").position.pk
        order_close(bot_id=paper_bot.pk, position_id=pid)
        Position.objects.filter(pk=pid).update(
            opened_at=opened, closed_at=opened + timedelta(seconds=20)
        )
    return 28


@pytest.mark.parametrize("viewport", ["phone", "desktop"], indirect=True)
def test_a_busy_chart_labels_only_the_markers_with_room(
    page, live_server, log_in, shot, paper_bot, viewport
):
    markers = _busy_quarter_hour(paper_bot)
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    chart = page.get_by_test_id("price-chart")
    expect(chart).to_have_attribute("data-markers", str(markers))
    expect(chart).to_have_attribute("data-labelled", re.compile(r"\d+"))
    width = chart.bounding_box()["width"]
    labelled = int(chart.get_attribute("data-labelled") or 0)
    assert 1 <= labelled <= width // 64 + 1, (labelled, width)
    if viewport == "phone":
        assert labelled < markers // 2
    page.get_by_test_id("price-chart-card").scroll_into_view_if_needed()
    expect(page.get_by_test_id("price-chart-card")).to_contain_text("UTC")
    shot("chart-busy", full_page=False)
    # TradingView's attribution is a link under the plot, never a logo over the price line
    # (lightweight-charts' licence: a link to tradingview.com on the page, see chart-credit.tsx).
    expect(chart.locator("a#tv-attr-logo")).to_have_count(0)
    credit = page.get_by_test_id("price-chart-card").get_by_role(
        "link", name="Charts by TradingView"
    )
    expect(credit).to_have_attribute("href", "https://www.tradingview.com/")
    box, plot = credit.bounding_box(), chart.bounding_box()
    assert box is not None and plot is not None and box["height"] >= 44
    assert box["y"] >= plot["y"] + plot["height"]  # under the plot, not on it


def test_a_far_away_exit_stays_off_the_axis_and_is_said_in_words(
    page, live_server, log_in, shot, paper_bot
):
    """A short with TP $1 and SL $99,999: the axis ran 0 to 125,000 and the price was a flat
    line. The far levels now stay off the axis (unit-tested in chart-data.test.ts) and the card
    names them under the chart, priced like the rest of the page."""
    start = timezone.now() - timedelta(seconds=600)
    for i in range(20):
        price_set(symbol="ETHUSDT", price=Decimal("2930") + i % 7, source="fixed")
    points = PricePoint.objects.filter(symbol="ETHUSDT").order_by("id")
    for i, point in enumerate(points):
        PricePoint.objects.filter(pk=point.pk).update(at=start + timedelta(seconds=30 * i))
    position = order_open(bot_id=paper_bot.pk, side="short", size_usd="20").position
    exits_set(
        bot_id=paper_bot.pk,
        position_id=position.pk,
        changes=parse_changes(take_profit="1", stop_loss="99999"),
    )
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    card = page.get_by_test_id("price-chart-card")
    expect(card.get_by_test_id("price-chart")).to_have_attribute("data-lines", "2")
    off = card.get_by_test_id("price-chart-off")
    expect(off).to_contain_text(f"TP #{position.pk} $1.00 below")
    expect(off).to_contain_text(f"SL #{position.pk} $99,999.00 above")
    # The open position's card carries the number the chart names it by.
    card_number = page.get_by_test_id(f"open-position-{position.pk}").get_by_test_id(
        "position-number"
    )
    expect(card_number).to_have_text(f"#{position.pk}")
    card.scroll_into_view_if_needed()
    shot("chart-far-exits", full_page=False)


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_settings_page_carries_tradingviews_notice(page, live_server, log_in, shot, bob):
    """With the on-chart logo off, the NOTICE's attribution is on a page every user reaches."""
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/settings")
    credits = page.get_by_test_id("credits")
    expect(credits).to_contain_text("TradingView Lightweight Charts")
    expect(credits).to_contain_text("Copyright (c) 2023 TradingView, Inc.")
    link = credits.get_by_role("link", name="tradingview.com")
    expect(link).to_have_attribute("href", "https://www.tradingview.com/")
    credits.scroll_into_view_if_needed()
    shot("settings-credits", full_page=False)
