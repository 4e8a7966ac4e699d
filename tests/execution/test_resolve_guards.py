"""Resolving an incident after asking the venue: a hold is never released while the venue still
works the order, and a venue answer the ledger cannot book is a controlled refusal, not a crash."""

from decimal import Decimal

import pytest

from egis.core.errors import UserFacingError
from egis.execution.incident_actions import incident_resolve
from egis.execution.incident_base import IncidentError
from egis.ledger import budget
from egis.ledger.errors import OrderNotBooked
from egis.ledger.incidents import incident_record
from egis.ledger.models import Incident, Order, Position
from egis.ledger.pipeline import order_open
from egis.venues.base import OrderReport, VenueOrderStatus
from tests.execution.support.venues import LostRequestVenue

pytestmark = pytest.mark.django_db(transaction=True)


class AnsweringVenue(LostRequestVenue):
    """The order POST timed out; a later lookup by client order id gets `answer(order)`."""

    def __init__(self, bot, *, status: VenueOrderStatus, executed: str, price: str) -> None:
        super().__init__(bot)
        self.status = status
        self.executed = Decimal(executed)
        self.price = Decimal(price)

    def lookup_order(self, *, symbol: str, client_order_id: str) -> OrderReport:
        return OrderReport(
            client_order_id=client_order_id,
            venue_order_id="77",
            status=self.status,
            executed_qty=self.executed,
            cum_quote_usd=self.executed * self.price,
            avg_price=self.price if self.executed else None,
        )


def unknown_order(bot, venue) -> tuple[Order, Incident]:
    with pytest.raises(OrderNotBooked) as info:
        order_open(bot_id=bot.pk, side="long", size_usd="20", venue=venue)
    order = Order.objects.get(client_order_id=info.value.client_order_id)
    assert order.status == "unknown"
    incident = incident_record(
        kind="unknown_order",
        bot_id=bot.pk,
        order_id=order.pk,
        client_order_id=order.client_order_id,
        intent=order.intent,
        payload={"position_id": order.position_id},
        error="outcome unknown",
    )
    return order, incident


def test_void_is_refused_while_the_venue_still_works_the_order(paper_bot, alice):
    venue = AnsweringVenue(paper_bot, status=VenueOrderStatus.NEW, executed="0", price="2934.56")
    order, incident = unknown_order(paper_bot, venue)

    with pytest.raises(IncidentError, match="NEW"):
        incident_resolve(
            incident_id=incident.pk,
            action="void-order",
            reason="looks dead",
            actor=alice,
            venue=venue,
        )

    order.refresh_from_db()
    assert order.status == "unknown"  # still in flight: recovery settles it when it fills
    assert Position.objects.get(pk=order.position_id).status == "open"  # the hold stays
    assert budget.get_budget(paper_bot).available_usd == Decimal("80")
    incident.refresh_from_db()
    assert incident.status == "open"


def test_a_venue_answer_the_ledger_cannot_book_is_refused_not_a_crash(paper_bot, alice):
    # The venue reports far more executed than was sent: settle refuses to book it.
    venue = AnsweringVenue(paper_bot, status=VenueOrderStatus.FILLED, executed="5", price="2934.56")
    order, incident = unknown_order(paper_bot, venue)

    with pytest.raises(UserFacingError, match="more than"):
        incident_resolve(
            incident_id=incident.pk,
            action="apply-venue-fill",
            reason="venue shows a fill",
            actor=alice,
            venue=venue,
        )

    order.refresh_from_db()
    assert order.status == "unknown"
    incident.refresh_from_db()
    assert incident.status == "open"
