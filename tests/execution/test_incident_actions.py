"""Incidents as a workflow: explicit actions, audited with actor and reason."""

import pytest

from egis.execution.incident_actions import incident_resolve
from egis.execution.incident_base import IncidentError, IncidentNotFound, incident_get
from egis.ledger import budget
from egis.ledger.errors import OrderNotBooked
from egis.ledger.incidents import incident_record
from egis.ledger.models import Incident, Order, Position, PositionEvent
from egis.ledger.pipeline import order_close, order_open
from egis.ledger.selectors import incident_list
from egis.venues.paper.models import PaperFill, PaperPosition
from tests.execution.support.venues import LostRequestVenue
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)


def incident_for(order: Order, kind: str = "unknown_order") -> Incident:
    return incident_record(
        kind=kind,
        bot_id=order.bot_id,
        order_id=order.pk,
        client_order_id=order.client_order_id,
        intent=order.intent,
        payload={"position_id": order.position_id},
        error="outcome unknown",
    )


def unknown_filled_order(bot) -> Order:
    venue = RecordingPaperVenue(bot, raise_after_fill=TimeoutError("read timed out"))
    with pytest.raises(OrderNotBooked) as info:
        order_open(bot_id=bot.pk, side="long", size_usd="20", venue=venue)
    return Order.objects.get(client_order_id=info.value.client_order_id)


def lost_order(bot) -> Order:
    with pytest.raises(OrderNotBooked) as info:
        order_open(bot_id=bot.pk, side="long", size_usd="20", venue=LostRequestVenue(bot))
    return Order.objects.get(client_order_id=info.value.client_order_id)


def last_event(action: str) -> PositionEvent:
    return PositionEvent.objects.filter(action=action).latest("id")


def test_apply_venue_fill_books_the_lookup_and_is_audited(paper_bot, alice):
    order = unknown_filled_order(paper_bot)
    incident = incident_for(order)
    assert incident_list() == [incident]

    resolution = incident_resolve(
        incident_id=incident.pk,
        action="apply-venue-fill",
        reason="venue shows the fill",
        actor=alice,
    )
    order.refresh_from_db()
    assert order.status == "filled"
    assert "booked" in resolution.detail
    incident = incident_get(incident.pk)
    assert incident.status == "resolved" and incident.resolution == "apply-venue-fill"
    assert incident.resolved_by == alice and "venue shows the fill" in incident.resolution_reason
    event = last_event("reconciliation_resolved")
    assert event.actor == alice and event.order_id == order.pk
    assert "venue shows the fill" in event.reason
    assert last_event("open_filled").actor == alice  # the settle itself names the actor too
    assert incident_list() == []
    assert incident_list(status=None) == [incident]

    with pytest.raises(IncidentError, match="already resolved"):
        incident_resolve(incident_id=incident.pk, action="void-order", reason="again", actor=alice)


def test_void_is_refused_while_the_venue_reports_a_fill(paper_bot, alice):
    incident = incident_for(unknown_filled_order(paper_bot))
    with pytest.raises(IncidentError, match="apply-venue-fill"):
        incident_resolve(incident_id=incident.pk, action="void-order", reason="x", actor=alice)
    assert incident_get(incident.pk).status == "open"  # all or nothing


def test_void_order_releases_the_hold_of_an_order_the_venue_never_saw(paper_bot, alice):
    order = lost_order(paper_bot)
    incident = incident_for(order)
    with pytest.raises(IncidentError, match="void it instead"):
        incident_resolve(
            incident_id=incident.pk, action="apply-venue-fill", reason="x", actor=alice
        )
    incident_resolve(
        incident_id=incident.pk,
        action="void_order",  # the API's spelling works too
        reason="venue has no such order",
        actor=alice,
    )
    order.refresh_from_db()
    assert order.status == "failed"
    assert Position.objects.get(pk=order.position_id).status == "cancelled"
    assert budget.get_budget(paper_bot).available_usd == 100
    assert last_event("hold_released").actor == alice


def test_close_position_after_the_venue_refused_a_close(paper_bot, alice):
    opened = order_open(bot_id=paper_bot.pk, side="long", size_usd="20")
    # The venue has nothing to reduce (its book lost the position): -2022, drift.
    PaperFill.objects.all().delete()
    PaperPosition.objects.all().delete()
    with pytest.raises(OrderNotBooked) as info:
        order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    incident = Incident.objects.get(pk=info.value.incident_id)
    assert incident.kind == "venue_refused_close"

    with pytest.raises(IncidentError, match="without a sign"):
        incident_resolve(
            incident_id=incident.pk,
            action="close-position",
            reason="x",
            price="-1",
            actor=alice,
        )
    incident_resolve(
        incident_id=incident.pk,
        action="close-position",
        reason="exchange shows no position",
        price="2900",
        actor=alice,
    )
    position = Position.objects.get(pk=opened.position.pk)
    assert position.status == "closed" and position.exit_price == 2900
    assert budget.get_budget(paper_bot).available_usd == 100
    event = last_event("closed_by_reconciliation")
    assert event.actor == alice and "exchange shows no position" in event.reason


def test_refusals_name_what_to_do(paper_bot, alice):
    incident = incident_for(unknown_filled_order(paper_bot))
    with pytest.raises(IncidentError, match="unknown action"):
        incident_resolve(incident_id=incident.pk, action="delete", reason="x")
    with pytest.raises(IncidentError, match="reason is required"):
        incident_resolve(incident_id=incident.pk, action="void-order", reason=" ")
    with pytest.raises(IncidentError, match="does not apply"):
        incident_resolve(incident_id=incident.pk, action="acknowledge", reason="x")
    with pytest.raises(IncidentNotFound):
        incident_resolve(incident_id=9999, action="void-order", reason="x")
    with pytest.raises(IncidentError, match="still opening"):
        incident_resolve(incident_id=incident.pk, action="close-position", reason="x", price="1")
    assert Incident.objects.get().status == "open"


def test_close_position_ends_the_positions_paper_exits_and_says_reconcile(paper_bot, alice):
    """A ledger-only close takes the reason `reconcile`, and the position's resting exits end
    with it (before, they stayed resting on a closed position until the next crossing)."""
    from egis.exits.models import Exit
    from egis.exits.rules import parse_changes

    opened = order_open(
        bot_id=paper_bot.pk,
        side="long",
        size_usd="20",
        exits=parse_changes(take_profit="3100", stop_loss="2800"),
    )
    assert set(Exit.objects.values_list("status", flat=True)) == {"resting"}
    PaperFill.objects.all().delete()
    PaperPosition.objects.all().delete()
    with pytest.raises(OrderNotBooked) as info:
        order_close(bot_id=paper_bot.pk, position_id=opened.position.pk)
    assert set(Exit.objects.values_list("status", flat=True)) == {"resting"}
    incident_resolve(
        incident_id=info.value.incident_id,
        action="close-position",
        reason="exchange shows no position",
        price="2900",
        actor=alice,
    )
    position = Position.objects.get(pk=opened.position.pk)
    assert position.status == "closed" and position.close_reason == "reconcile"
    assert sorted(Exit.objects.values_list("status", flat=True)) == ["cancelled", "cancelled"]
