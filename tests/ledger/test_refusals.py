"""Every refusal happens before any venue call, with a one-line reason (issue 2, item 5)."""

from decimal import Decimal

import pytest

from egis.ledger.errors import (
    BotNotFound,
    BotNotTradable,
    InvalidOrderInput,
    NettingConflict,
    NotEnoughBudget,
    OrderSizeRejected,
    PositionBusy,
    PositionNotFound,
    PositionNotOpen,
)
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_close, order_open, order_submit
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)


def _no_order_sent(venue):
    assert "place_market_order" not in venue.calls


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"intent": None}, InvalidOrderInput, "intent"),
        ({"intent": "buy"}, InvalidOrderInput, "intent"),
        ({"intent": "open", "size_usd": "10"}, InvalidOrderInput, "side"),
        ({"intent": "open", "side": "up", "size_usd": "10"}, InvalidOrderInput, "side"),
        ({"intent": "open", "side": "long"}, InvalidOrderInput, "size_usd"),
        ({"intent": "open", "side": "long", "size_usd": "-1"}, InvalidOrderInput, "size_usd"),
        ({"intent": "open", "side": "long", "size_usd": "NaN"}, InvalidOrderInput, "size_usd"),
        ({"intent": "open", "side": "long", "size_usd": "inf"}, InvalidOrderInput, "size_usd"),
        ({"intent": "open", "side": "long", "size_usd": "10.001"}, InvalidOrderInput, "size_usd"),
        ({"intent": "open", "side": "long", "size_usd": 10.5}, InvalidOrderInput, "size_usd"),
        ({"intent": "close"}, InvalidOrderInput, "position_id"),
        ({"intent": "close", "position_id": "x"}, InvalidOrderInput, "position_id"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(paper_bot, kwargs, error, field):
    venue = RecordingPaperVenue(paper_bot)
    with pytest.raises(error) as info:
        order_submit(bot_id=paper_bot.pk, venue=venue, **kwargs)
    assert info.value.field == field
    assert "\n" not in info.value.message
    _no_order_sent(venue)
    assert Order.objects.count() == 0 and Position.objects.count() == 0


def test_not_enough_budget_message_and_numbers(paper_bot):
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")  # books 8.80368
    venue = RecordingPaperVenue(paper_bot)
    with pytest.raises(NotEnoughBudget) as info:
        order_open(bot_id=paper_bot.pk, side="long", size_usd="200", venue=venue)
    assert info.value.message == "Not enough budget. Available: $91.19, Requested: $200.00"
    assert info.value.details == {"available_usd": "91.19632", "requested_usd": "200.00"}
    _no_order_sent(venue)
    assert Order.objects.count() == 1


def test_exactly_the_available_budget_is_allowed(paper_bot, set_price):
    set_price("ETHUSDT", "2500")
    result = order_open(bot_id=paper_bot.pk, side="long", size_usd="100.00")
    assert result.position.size_usd == Decimal("100.000")  # 0.04 x 2500


def test_below_min_notional_after_rounding(paper_bot):
    from egis.venues.models import SymbolFilter

    SymbolFilter.objects.filter(venue_key="paper", symbol="ETHUSDT").update(
        min_notional=Decimal("20")
    )
    venue = RecordingPaperVenue(paper_bot)
    with pytest.raises(OrderSizeRejected, match="minimum notional"):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="10", venue=venue)
    _no_order_sent(venue)


def test_below_min_qty(paper_bot):
    venue = RecordingPaperVenue(paper_bot)
    with pytest.raises(OrderSizeRejected, match="minimum quantity"):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="2", venue=venue)
    _no_order_sent(venue)


def test_inactive_and_halted_bots_refuse_opens(paper_bot):
    paper_bot.is_active = False
    paper_bot.save()
    with pytest.raises(BotNotTradable, match="inactive"):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    paper_bot.is_active = True
    paper_bot.halted_reason = "drift on ETHUSDT"
    paper_bot.save()
    with pytest.raises(BotNotTradable, match="halted"):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="10")


def test_halted_bot_can_still_close(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    paper_bot.halted_reason = "drift"
    paper_bot.save()
    closed = order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    assert closed.position.status == "closed"


def test_unknown_bot(db):
    with pytest.raises(BotNotFound):
        order_open(bot_id=999, side="long", size_usd="10")


def test_close_of_another_bots_position(paper_bot, bob):
    from egis.bots.services import bot_create

    other = bot_create(owner=bob, name="b2", venue="paper", symbol="ETHUSDT", budget_usd="50")
    theirs = order_open(bot_id=other.pk, side="long", size_usd="10").position
    venue = RecordingPaperVenue(paper_bot)
    with pytest.raises(PositionNotFound, match="does not belong"):
        order_close(bot_id=paper_bot.pk, position_id=theirs.pk, venue=venue)
    _no_order_sent(venue)


def test_close_of_a_closed_position(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    with pytest.raises(PositionNotOpen, match="closed"):
        order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)


def test_second_close_while_closing_is_refused(paper_bot):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    Position.objects.filter(pk=opened.position.pk).update(closing_order=opened.order)
    with pytest.raises(PositionBusy, match="already closing"):
        order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)


def test_opposite_side_on_a_netted_book_is_refused(paper_bot):
    order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
    with pytest.raises(NettingConflict, match="close the long first"):
        order_open(bot_id=paper_bot.pk, side="short", size_usd="10")


def test_pipeline_refuses_to_run_inside_a_transaction(paper_bot):
    from django.db import transaction

    with transaction.atomic(), pytest.raises(RuntimeError, match="inside a database transaction"):
        order_open(bot_id=paper_bot.pk, side="long", size_usd="10")
