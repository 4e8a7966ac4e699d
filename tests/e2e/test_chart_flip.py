"""Newcomer at 390 px: at a signal flip (a close and the next open on the same bar) the price
chart drew the exit circle on the entry arrow, and the newest entry's "Long #10" sat under the
SL tag drawn at the chart's right edge. A flip is one marker text ("Exit #9 · Short #10") with
the exit circle on the other side of the price; a label a TP/SL tag would cover loses its words
(the tag names the position)."""

from __future__ import annotations

import json
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


def _flip(paper_bot) -> tuple[int, int]:
    """40 prices 15 s apart; a long closed and a short opened on one bar (a signal's flip) half
    way along; the short keeps a 1% stop-loss and take-profit."""
    start = timezone.now() - timedelta(seconds=600)
    PricePoint.objects.all().delete()
    for i in range(40):
        price_set(symbol="ETHUSDT", price=Decimal("2930") + (i * 7) % 11, source="fixed")
    for i, point in enumerate(PricePoint.objects.filter(symbol="ETHUSDT").order_by("id")):
        PricePoint.objects.filter(pk=point.pk).update(at=start + timedelta(seconds=15 * i))
    long = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position.pk
    order_close(bot_id=paper_bot.pk, position_id=long)
    short = order_open(bot_id=paper_bot.pk, side="short", size_usd="10").position.pk
    flip = start + timedelta(seconds=15 * 24 + 1)
    Position.objects.filter(pk=long).update(
        opened_at=start + timedelta(seconds=15 * 6 + 1), closed_at=flip
    )
    Position.objects.filter(pk=short).update(opened_at=flip)
    exits_set(
        bot_id=paper_bot.pk,
        position_id=short,
        changes=parse_changes(take_profit="1%", stop_loss="1%"),
    )
    return long, short


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_a_flip_reads_as_one_marker(page, live_server, log_in, shot, paper_bot):
    long, short = _flip(paper_bot)
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    chart = page.get_by_test_id("price-chart")
    expect(chart).to_have_attribute("data-markers", "3")
    page.get_by_test_id("price-chart-card").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    shot("chart-flip", full_page=False)
    labels = json.loads(chart.get_attribute("data-labels") or "null")
    assert labels == [f"Long #{long}", f"Exit #{long} · Short #{short}"], labels


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_an_entry_label_never_sits_under_its_stop_loss_tag(
    page, live_server, log_in, shot, paper_bot
):
    start = timezone.now() - timedelta(seconds=600)
    PricePoint.objects.all().delete()
    for i in range(40):
        price_set(symbol="ETHUSDT", price=Decimal("2930") + (i * 7) % 11, source="fixed")
    for i, point in enumerate(PricePoint.objects.filter(symbol="ETHUSDT").order_by("id")):
        PricePoint.objects.filter(pk=point.pk).update(at=start + timedelta(seconds=15 * i))
    # A long opened a few bars before the right edge, its stop-loss just under the entry: the
    # "SL #n" tag is drawn at the right edge at about the height of the entry's words.
    long = order_open(bot_id=paper_bot.pk, side="long", size_usd="10").position.pk
    Position.objects.filter(pk=long).update(opened_at=start + timedelta(seconds=15 * 31 + 1))
    exits_set(
        bot_id=paper_bot.pk,
        position_id=long,
        changes=parse_changes(take_profit="1%", stop_loss="2934"),
    )
    log_in("bob", "pw-bob-12345")
    page.goto(f"{live_server.url}/bots/{paper_bot.pk}")
    chart = page.get_by_test_id("price-chart")
    expect(chart).to_have_attribute("data-lines", "2")
    page.get_by_test_id("price-chart-card").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    shot("chart-entry-under-tag", full_page=False)
    # The arrow stays; its words, which the tag would cover, are left out (the tag names #n).
    expect(chart).to_have_attribute("data-markers", "1")
    expect(chart).to_have_attribute("data-labelled", "0")
