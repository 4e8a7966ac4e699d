"""The exits asked with an open survive the death of the process that placed it.

They are written ahead with the order (`Order.exits_asked`) and set once the fill is booked:
by the pipeline right after it, or, when the process died between the venue's fill and its
exits, by the restarted worker's recovery (egis.exits.asked). The kill is injected at the venue
as in tests/execution/test_crash_injection.py; "died after booking, before the exits" is the
state such a process leaves: the order booked, its `exits_asked` still there, no exit row.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from egis.execution.recovery import recover
from egis.exits.models import Exit
from egis.exits.rules import parse_changes
from egis.exits.services import exits_set
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_close, order_open
from egis.venues.paper.models import PaperFill
from tests.execution.support.venues import ProcessKilled, _Wrapped

pytestmark = pytest.mark.django_db(transaction=True)

TP_SL = {"take_profit": "1%", "stop_loss": "1%"}


class KilledAfterFill(_Wrapped):
    def place_market_order(self, request):
        self.inner.place_market_order(request)
        raise ProcessKilled("SIGKILL while waiting for the venue's answer")


def _kinds(position: Position, status: str = "") -> list[str]:
    rows = Exit.objects.filter(position=position)
    if status:
        rows = rows.filter(status=status)
    return sorted(rows.values_list("kind", flat=True))


def test_the_exits_are_written_ahead_with_the_order_and_cleared_once_set(paper_bot):
    result = order_open(
        bot_id=paper_bot.pk, side="long", size_usd="20", exits=parse_changes(**TP_SL)
    )
    order = Order.objects.get(pk=result.order.pk)
    assert order.exits_asked is None  # set, so nothing is left for recovery
    assert _kinds(result.position, "resting") == ["stop_loss", "take_profit"]
    assert order_open(bot_id=paper_bot.pk, side="long", size_usd="20").order.exits_asked is None


def test_killed_while_the_venue_filled_it_recovery_books_it_and_sets_its_exits(paper_bot):
    with pytest.raises(ProcessKilled):
        order_open(
            bot_id=paper_bot.pk,
            side="long",
            size_usd="20",
            venue=KilledAfterFill(paper_bot),
            exits=parse_changes(**TP_SL),
        )
    [order] = Order.objects.all()
    assert order.status == "submitting"
    assert order.exits_asked == {"take_profit": {"pct": "1"}, "stop_loss": {"pct": "1"}}

    report = recover(timeout_s=0, venue_factory=_Wrapped)  # the restarted worker

    order.refresh_from_db()
    assert order.status == "filled" and order.exits_asked is None
    assert report.exits_asked == [order.pk]
    assert "exits asked with 1 open set" in report.summary_line()
    position = Position.objects.get()
    assert _kinds(position, "resting") == ["stop_loss", "take_profit"]
    assert PaperFill.objects.count() == 1
    # Again: nothing more is set.
    assert recover(timeout_s=0, venue_factory=_Wrapped).exits_asked == []
    assert Exit.objects.count() == 2


def test_died_after_booking_before_the_exits_recovery_sets_only_the_kinds_never_written(
    paper_bot,
):
    result = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    position = result.position
    # A person set a take-profit meanwhile, and cancelled it: that kind was set, and stays so.
    exits_set(bot_id=paper_bot.pk, position_id=position.pk, changes=parse_changes(take_profit="2%"))
    exits_set(bot_id=paper_bot.pk, position_id=position.pk, changes={"take_profit": None})
    # The state a process dying between the booking and its exits leaves behind.
    Order.objects.filter(pk=result.order.pk).update(
        exits_asked={"take_profit": {"pct": "1"}, "stop_loss": {"pct": "1"}}
    )

    # Younger than the recovery timeout: the placing process may still be setting them.
    assert recover(venue_factory=_Wrapped).exits_asked == []
    assert _kinds(position, "resting") == []

    later = timezone.now() + timedelta(minutes=5)
    assert recover(now=later, venue_factory=_Wrapped).exits_asked == [result.order.pk]
    assert _kinds(position, "resting") == ["stop_loss"]
    assert Order.objects.get(pk=result.order.pk).exits_asked is None


def test_a_position_closed_meanwhile_gets_no_exits_and_the_ask_is_done(paper_bot):
    result = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    order_close(bot_id=paper_bot.pk, position_id=result.position.pk)
    Order.objects.filter(pk=result.order.pk).update(exits_asked={"stop_loss": {"pct": "1"}})

    later = timezone.now() + timedelta(minutes=5)
    assert recover(now=later, venue_factory=_Wrapped).exits_asked == [result.order.pk]
    assert not Exit.objects.exists()
    assert Order.objects.get(pk=result.order.pk).exits_asked is None
