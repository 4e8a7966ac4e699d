"""An open asked with exits, its worker killed after the venue filled it: are the exits set?

An open (API, page, CLI) can carry its exits; the pipeline sets them once the fill is booked
(egis.exits.services.exits_attach_after_open), in the process that placed the order. They are
written nowhere before that: a SIGKILL after the venue filled the open (while waiting for its
answer, or between booking the fill and writing the exits) leaves a position that recovery books
as open and filled, without the stop-loss its owner asked for, and nothing says so.

Fixed: the exits asked are written ahead with the order (`Order.exits_asked`), and recovery
sets the kinds never written once it books the fill (egis.exits.asked;
tests/execution/test_exits_asked.py covers the other states).
"""

from __future__ import annotations

import pytest

from egis.execution.recovery import recover
from egis.exits.models import Exit
from egis.exits.rules import parse_changes
from egis.ledger.models import Order, Position
from egis.ledger.pipeline import order_open
from tests.execution.support.venues import ProcessKilled, _Wrapped

pytestmark = pytest.mark.django_db(transaction=True)


class KilledAfterFill(_Wrapped):
    def place_market_order(self, request):
        self.inner.place_market_order(request)
        raise ProcessKilled("SIGKILL while waiting for the venue's answer")


def test_an_open_killed_after_its_fill_still_gets_the_exits_it_asked_for(paper_bot):
    changes = parse_changes(take_profit="1%", stop_loss="1%")
    with pytest.raises(ProcessKilled):
        order_open(
            bot_id=paper_bot.pk,
            side="long",
            size_usd="20",
            venue=KilledAfterFill(paper_bot),
            exits=changes,
        )

    recover(timeout_s=0, venue_factory=_Wrapped)  # the restarted worker's recovery

    [order] = Order.objects.all()
    assert (order.intent, order.status) == ("open", "filled")
    position = Position.objects.get()
    assert position.status == "open"
    kinds = Exit.objects.filter(position=position).values_list("kind", flat=True)
    assert sorted(kinds) == ["stop_loss", "take_profit"]
