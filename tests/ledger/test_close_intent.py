"""Intent-based orders (journal section 5, invariant 2): a close never creates a position."""

from decimal import Decimal

import pytest

from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_close, order_open
from egis.venues.paper.models import PaperPosition
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)


def test_closing_a_long_is_a_reduce_only_sell_and_never_opens_a_short(paper_bot, set_price):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    set_price("ETHUSDT", "3000")
    venue = RecordingPaperVenue(paper_bot)
    closed = order_close(bot_id=paper_bot.pk, position_id=opened.position.pk, venue=venue)

    sent = venue.orders[-1]
    assert (sent.side, sent.reduce_only, sent.qty) == ("sell", True, Decimal("0.003"))
    assert closed.order.intent == "close"
    # The phantom-short regression: a SELL fill interpreted by its intent, not its side.
    assert Position.objects.filter(side="short").count() == 0
    assert Position.objects.count() == 1
    position = Position.objects.get()
    assert position.status == "closed"
    assert position.exit_price == Decimal("3000")
    assert position.realized_pnl_usd == Decimal("0.19632")  # (3000 - 2934.56) x 0.003
    assert PaperPosition.objects.get(bot=paper_bot).status == "closed"


def test_closing_a_short_is_a_buy_and_never_opens_a_long(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="short", size_usd="10")
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    assert list(Position.objects.values_list("side", "status")) == [("short", "closed")]


def test_a_close_whose_fill_is_larger_than_the_position_never_books_extra(paper_bot):
    """Even if a venue reported more than was sent, the ledger refuses to invent exposure."""
    from egis.ledger.errors import OrderNotBooked
    from egis.ledger.settle import settle_order
    from egis.venues.base import OrderReport, VenueOrderStatus

    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    closing = Order.objects.create(
        client_order_id="egis-test-close-1",
        bot=paper_bot,
        position=opened.position,
        intent="close",
        side="sell",
        symbol="ETHUSDT",
        reduce_only=True,
        requested_qty=Decimal("0.003"),
        status="submitting",
    )
    lying = OrderReport(
        "egis-test-close-1",
        "v1",
        VenueOrderStatus.FILLED,
        Decimal("0.01"),
        Decimal("30"),
        Decimal("3000"),
    )
    with pytest.raises(Exception, match="more than"):
        settle_order(closing.pk, lying, via="test")
    assert Position.objects.count() == 1
    assert Position.objects.get().qty == Decimal("0.003")
    assert OrderNotBooked  # the pipeline turns this into OrderNotBooked (see db-failure tests)


def test_close_orders_are_reduce_only_by_constraint(paper_bot):
    from django.db import IntegrityError

    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    with pytest.raises(IntegrityError):
        Order.objects.create(
            client_order_id="egis-bad",
            bot=paper_bot,
            position=opened.position,
            intent="close",
            side="sell",
            symbol="ETHUSDT",
            reduce_only=False,
            requested_qty=Decimal("1"),
            status="submitting",
        )


def test_partial_open_books_the_filled_part(paper_bot):
    venue = RecordingPaperVenue(paper_bot, fill_ratio=Decimal("0.5"))
    result = order_open(bot_id=paper_bot.pk, side="long", size_usd="30", venue=venue)
    # 30 / 2934.56 -> 0.010; half -> 0.005 filled
    assert result.order.status == "partially_filled"
    assert result.position.qty == Decimal("0.005")
    assert result.position.size_usd == Decimal("14.67280")
    assert result.position.requested_size_usd == Decimal("30")


def test_partial_close_lowers_qty_and_size_and_stays_open(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="30")  # 0.010 ETH
    venue = RecordingPaperVenue(paper_bot, fill_ratio=Decimal("0.5"))
    result = order_close(bot_id=paper_bot.pk, position_id=opened.position.pk, venue=venue)
    assert result.order.status == "partially_filled"
    assert result.position.status == "open"
    assert result.position.qty == Decimal("0.005")
    assert result.position.size_usd == Decimal("14.6728")
    assert result.position.closing_order_id is None  # it can be closed again
    again = order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    assert again.position.status == "closed"


def test_nothing_filled_releases_the_hold(paper_bot):
    from egis.ledger import budget

    venue = RecordingPaperVenue(paper_bot, fill_ratio=Decimal("0"))
    result = order_open(bot_id=paper_bot.pk, side="long", size_usd="10", venue=venue)
    assert result.position.status == "cancelled"
    assert result.order.status == "failed"
    assert budget.get_budget(paper_bot).available_usd == Decimal("100")
