"""Setting, replacing and clearing exits on paper positions, and what a close does to them."""

from decimal import Decimal

import pytest

from egis.core.inputs import InputError
from egis.exits.models import Exit, ExitStatus
from egis.exits.rules import InvalidExit, LevelSpec, TrailingSpec, parse_changes
from egis.exits.services import exits_clear, exits_set
from egis.ledger.errors import PositionNotOpen
from egis.ledger.models import Position, PositionEvent
from egis.ledger.pipeline import order_close, order_open

pytestmark = pytest.mark.django_db(transaction=True)


def _open(bot, side="long", **kwargs):
    return order_open(bot_id=bot.pk, side=side, size_usd="20", **kwargs).position


def test_long_exits_from_percentages_rest_at_the_tick(paper_bot):
    position = _open(paper_bot)
    entry = position.entry_price
    live = exits_set(
        bot_id=paper_bot.pk,
        position_id=position.pk,
        changes=parse_changes(take_profit="1%", stop_loss="2%", trailing_stop="1"),
    )
    by_kind = {e.kind: e for e in live}
    assert set(by_kind) == {"take_profit", "stop_loss", "trailing_stop"}
    assert all(e.status == ExitStatus.RESTING for e in live)
    assert by_kind["take_profit"].trigger_price == (entry * Decimal("1.01")).quantize(
        Decimal("0.01")
    )
    assert by_kind["take_profit"].direction == "rises"
    assert by_kind["stop_loss"].trigger_price == (entry * Decimal("0.98")).quantize(Decimal("0.01"))
    assert by_kind["stop_loss"].direction == "falls"
    trailing = by_kind["trailing_stop"]
    assert trailing.extreme_price == Decimal("2934.56")
    assert trailing.trigger_price == Decimal("2905.21")  # 2934.56 x 0.99, nearest tick
    assert all(e.quantity == position.qty for e in live)
    assert PositionEvent.objects.filter(position=position, action="exit_set").count() == 3


def test_short_exits_are_mirrored(paper_bot):
    position = _open(paper_bot, side="short")
    live = exits_set(
        bot_id=paper_bot.pk,
        position_id=position.pk,
        changes={
            "take_profit": LevelSpec(pct=Decimal("1")),
            "stop_loss": LevelSpec(pct=Decimal(1)),
        },
    )
    by_kind = {e.kind: e for e in live}
    assert by_kind["take_profit"].direction == "falls"
    assert by_kind["take_profit"].trigger_price < position.entry_price
    assert by_kind["stop_loss"].direction == "rises"
    assert by_kind["stop_loss"].trigger_price > position.entry_price


@pytest.mark.parametrize(
    ("side", "changes", "field"),
    [
        ("long", {"stop_loss": {"price": "3000"}}, "stop_loss.price"),  # above the price
        ("long", {"take_profit": {"price": "2900"}}, "take_profit.price"),  # below the price
        ("short", {"stop_loss": {"price": "2900"}}, "stop_loss.price"),
        ("long", {"take_profit": {"price": "3000.005"}}, "take_profit.price"),  # off the tick
        ("long", {"take_profit": {"pct": "0"}}, "take_profit.pct"),
        ("long", {"stop_loss": {"pct": "100"}}, "stop_loss.pct"),
        ("long", {"trailing_stop": {"callback_pct": "11"}}, "trailing_stop.callback_pct"),
        ("long", {"trailing_stop": {"callback_pct": "0.05"}}, "trailing_stop.callback_pct"),
        (
            "long",
            {"trailing_stop": {"callback_pct": "1", "activation_price": "2900"}},
            "trailing_stop.activation_price",
        ),
        ("long", {"take_profit": {"price": "3000", "pct": "1"}}, "take_profit"),
        ("long", {"take_profit": {"price": "-3000"}}, "take_profit.price"),
        ("long", {"take_profit": ["3000"]}, "take_profit"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(paper_bot, side, changes, field):
    position = _open(paper_bot, side=side)
    with pytest.raises(InputError) as refused:
        exits_set(bot_id=paper_bot.pk, position_id=position.pk, changes=parse_changes(**changes))
    assert refused.value.field == field
    assert refused.value.http_status == 422
    assert not Exit.objects.exists()


def test_replacing_one_kind_cancels_the_old_row_and_keeps_the_others(paper_bot):
    position = _open(paper_bot)
    exits_set(
        bot_id=paper_bot.pk,
        position_id=position.pk,
        changes=parse_changes(take_profit="3000", stop_loss="2800"),
    )
    live = exits_set(
        bot_id=paper_bot.pk, position_id=position.pk, changes=parse_changes(stop_loss="2850")
    )
    assert sorted((e.kind, e.trigger_price) for e in live) == [
        ("stop_loss", Decimal("2850")),
        ("take_profit", Decimal("3000")),
    ]
    assert Exit.objects.filter(status="cancelled", kind="stop_loss").count() == 1
    assert exits_clear(bot_id=paper_bot.pk, position_id=position.pk) == []
    assert Exit.objects.filter(status="cancelled").count() == 3


def test_an_open_can_carry_its_exits(paper_bot):
    position = _open(paper_bot, exits=parse_changes(take_profit="1%", stop_loss="1%"))
    assert Exit.objects.filter(position=position, status="resting").count() == 2


def test_an_open_with_a_bad_exit_is_refused_before_anything_is_sent(paper_bot):
    with pytest.raises(InvalidExit):
        _open(paper_bot, exits=parse_changes(stop_loss={"price": "3100"}))
    assert not Position.objects.exists()


def test_a_manual_close_cancels_the_exits_and_says_why(paper_bot):
    position = _open(paper_bot, exits={"trailing_stop": TrailingSpec(Decimal("2"))})
    order_close(bot_id=paper_bot.pk, position_id=position.pk)
    position.refresh_from_db()
    assert position.status == "closed"
    assert position.close_reason == "manual"
    assert Exit.objects.get().status == ExitStatus.CANCELLED
    with pytest.raises(PositionNotOpen):
        exits_set(
            bot_id=paper_bot.pk, position_id=position.pk, changes=parse_changes(stop_loss="1%")
        )
