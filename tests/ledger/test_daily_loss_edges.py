# ruff: noqa: F811  (the notice suite's fixtures are imported by name, then requested)
"""The daily loss limit's figures and notice at the edges (found by review, each failed before):
a fee completed later, a close still working at the venue, a close made by an incident's
resolution, a fill booked just before midnight, and the read of a bot's order history."""

from __future__ import annotations

import contextlib
import dataclasses
from decimal import Decimal

import pytest
from django.utils import timezone

from egis.bots.models import Bot
from egis.ledger.errors import DailyLossLimitReached, OrderNotBooked
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_close, order_open
from egis.ledger.realized_day import realized_day
from egis.ledger.risk import open_refusal
from egis.ledger.settle import fee_complete, settle_order
from egis.notifications.models import Delivery
from egis.venues.base import OrderReport, OrderRequest, VenueOrderStatus
from tests.execution.support.venues import _Wrapped
from tests.notifications.conftest import (  # noqa: F401  (the notice suite's fixtures)
    bob_channels,
    queue_only,
    receiver,
    telegram,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _told(bot: Bot) -> int:
    """How many daily-loss-limit notices were written for the bot (counted on one channel)."""
    return Delivery.objects.filter(
        bot_id=bot.pk, event_kind="daily_loss_limit", channel="webhook"
    ).count()


def _limit(bot: Bot, usd: str) -> Bot:
    Bot.objects.filter(pk=bot.pk).update(daily_loss_limit_usd=Decimal(usd))
    return Bot.objects.get(pk=bot.pk)


class FeeListedLater(_Wrapped):
    """The venue has not listed the close's trades yet: fee 0, pending (as Binance's
    userTrades lagging the order answer)."""

    def place_market_order(self, request: OrderRequest) -> OrderReport:
        report = self.inner.place_market_order(request)
        self.full = report
        if request.reduce_only:
            return dataclasses.replace(report, fee_usd=Decimal(0), fee_pending=True)
        return report


def test_a_fee_completed_later_that_reaches_the_limit_is_told(
    paper_bot, set_price, bob_channels, queue_only
):
    bot = _limit(paper_bot, "1.00")
    opened = order_open(bot_id=bot.pk, side="long", size_usd="50").position
    set_price("ETHUSDT", "2900")
    venue = FeeListedLater(bot)
    closed = order_close(bot_id=bot.pk, position_id=opened.pk, venue=venue)
    assert closed.order.fee_pending and Position.objects.get(pk=opened.pk).status == "closed"
    assert open_refusal(Bot.objects.get(pk=bot.pk), Decimal("10")) is None  # not reached yet
    assert _told(bot) == 0

    # Recovery: the venue now lists every trade; the close's whole fee is booked.
    full = dataclasses.replace(venue.full, fee_usd=Decimal("5"), fee_pending=False)
    assert fee_complete(closed.order.pk, full, via="recovery") is not None

    refusal = open_refusal(Bot.objects.get(pk=bot.pk), Decimal("10"))
    assert isinstance(refusal, DailyLossLimitReached)  # opens are halted now ...
    assert _told(bot) == 1  # ... and the owner was told so


class StillWorking(_Wrapped):
    """The close is still working at the venue: half of it executed (a non-final answer)."""

    def place_market_order(self, request: OrderRequest) -> OrderReport:
        report = self.inner.place_market_order(request)
        self.full = report
        if not request.reduce_only:
            return report
        half = report.executed_qty / 2
        return dataclasses.replace(
            report,
            status=VenueOrderStatus.PARTIALLY_FILLED,
            executed_qty=half,
            cum_quote_usd=report.cum_quote_usd / 2,
            fee_usd=report.fee_usd / 2,
        )


def _close_still_working(bot: Bot, set_price) -> tuple[Position, Order, StillWorking]:
    opened = order_open(bot_id=bot.pk, side="long", size_usd="50").position
    set_price("ETHUSDT", "2000")  # a loss of about a third
    venue = StillWorking(bot)
    with contextlib.suppress(OrderNotBooked):  # not final: recovery looks it up again
        order_close(bot_id=bot.pk, position_id=opened.pk, venue=venue)
    order = Order.objects.get(intent="close")
    assert order.status == "unknown" and order.executed_qty > 0
    return opened, order, venue


def test_a_close_still_working_at_the_venue_realizes_nothing_yet(paper_bot, set_price):
    bot = _limit(paper_bot, "5.00")
    opened, _order, _venue = _close_still_working(bot, set_price)
    position = Position.objects.get(pk=opened.pk)
    assert (position.status, position.realized_pnl_usd) == ("open", 0)  # nothing booked
    # The ledger booked no realized PnL today: the limit has nothing to count.
    assert realized_day(bot.pk, timezone.now()).total_usd == 0


def test_the_close_that_reaches_the_limit_after_working_at_the_venue_is_told(
    paper_bot, set_price, bob_channels, queue_only
):
    bot = _limit(paper_bot, "5.00")
    _opened, order, venue = _close_still_working(bot, set_price)
    assert settle_order(order.pk, venue.full, via="recovery").order.status == "filled"
    assert isinstance(
        open_refusal(Bot.objects.get(pk=bot.pk), Decimal("10")), DailyLossLimitReached
    )
    assert _told(bot) == 1


def test_a_plain_close_that_reaches_the_limit_is_told_once(
    paper_bot, set_price, bob_channels, queue_only
):
    # The same setting as above with a venue that answers at once: told, once.
    from egis.venues.paper.venue import PaperVenue

    bot = _limit(paper_bot, "5.00")
    opened = order_open(bot_id=bot.pk, side="long", size_usd="50").position
    set_price("ETHUSDT", "2000")
    half = PaperVenue(Bot.objects.get(pk=bot.pk), fill_ratio=Decimal("0.5"))
    order_close(bot_id=bot.pk, position_id=opened.pk, venue=half)  # partial: reaches it
    assert _told(bot) == 1
    order_close(bot_id=bot.pk, position_id=opened.pk)  # the rest: not told again
    assert _told(bot) == 1
    closed = Position.objects.get(pk=opened.pk)
    assert (
        realized_day(bot.pk, timezone.now()).total_usd == closed.realized_pnl_usd - closed.fees_usd
    )


def test_a_reconciliation_close_that_reaches_the_limit_is_told(
    paper_bot, set_price, alice, bob_channels, queue_only
):
    from egis.execution.incident_actions import incident_resolve
    from egis.ledger.incidents import incident_record

    bot = _limit(paper_bot, "5.00")
    opened = order_open(bot_id=bot.pk, side="long", size_usd="50").position
    incident = incident_record(
        kind="drift",
        bot_id=bot.pk,
        payload={"bot_ids": [bot.pk], "symbol": bot.symbol, "position_id": opened.pk},
        error="the venue holds nothing for this bot",
    )
    incident_resolve(
        incident_id=incident.pk,
        action="close-position",
        reason="closed at the venue by hand",
        actor=alice,
        price="2000",
        position_id=opened.pk,
    )
    assert Position.objects.get(pk=opened.pk).status == "closed"
    assert isinstance(
        open_refusal(Bot.objects.get(pk=bot.pk), Decimal("10")), DailyLossLimitReached
    )
    assert _told(bot) == 1


def test_a_bot_with_a_daily_loss_limit_reads_no_order_history(client, bob, paper_bot, set_price):
    from tests.web.test_history_reads import _a_trade_in_the_window, _history_walks, _statements

    client.force_login(bob)
    _limit(paper_bot, "1000")
    _a_trade_in_the_window(paper_bot, set_price)
    for url in (f"/bots/{paper_bot.pk}", "/"):
        walks = _history_walks(_statements(client, url))
        assert walks == [], "\n".join(f"{sql[:200]}\n  {plan}" for sql, plan in walks)


def test_a_close_booked_just_before_midnight_is_told_for_its_own_day(
    paper_bot, set_price, bob_channels, queue_only, monkeypatch
):
    import datetime as dt
    import sys

    from django.utils import timezone as dj_timezone

    from egis.ledger.realized_day import utc_day

    bot = _limit(paper_bot, "5.00")
    opened = order_open(bot_id=bot.pk, side="long", size_usd="50").position
    set_price("ETHUSDT", "2000")
    start, midnight = utc_day(dj_timezone.now())
    before_midnight = midnight - dt.timedelta(milliseconds=100)
    after_midnight = midnight + dt.timedelta(milliseconds=100)

    def clock():
        # The wall clock crosses midnight between settle's stamps and the notice's read.
        caller = sys._getframe(1).f_code.co_name
        return after_midnight if caller == "_daily_loss_check" else before_midnight

    monkeypatch.setattr(dj_timezone, "now", clock)
    order_close(bot_id=bot.pk, position_id=opened.pk)
    monkeypatch.undo()

    close = Order.objects.get(intent="close")
    assert utc_day(close.settled_at)[0] == start  # booked on the first day
    assert isinstance(open_refusal(bot, Decimal("1"), now=before_midnight), DailyLossLimitReached)
    assert open_refusal(bot, Decimal("1"), now=after_midnight) is None  # the next day is clear
    [told] = Delivery.objects.filter(
        bot_id=bot.pk, event_kind="daily_loss_limit", channel="webhook"
    )
    # Told for the day it was reached in: opens resume at that day's end, i.e. midnight.
    assert told.payload["resume_at"] == midnight.isoformat(), told.payload
