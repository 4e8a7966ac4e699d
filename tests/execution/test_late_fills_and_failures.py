"""Late venue answers and one order's database trouble during recovery: loud, never silent."""

import pytest

from egis.execution.recovery import recover_in_flight
from egis.ledger.errors import OrderNotBooked
from egis.ledger.models import Incident, Order
from egis.ledger.pipeline import order_open
from egis.ledger.settle import release_order
from tests.support.venues import RecordingPaperVenue

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_fill_for_an_order_already_released_raises_a_drift_incident(paper_bot):
    """The venue was slow; meanwhile the order was released as never placed. Then it fills."""

    def released_meanwhile(request, report):
        order = Order.objects.get(client_order_id=request.client_order_id)
        release_order(order.pk, status="failed", error="does not exist (x3)", via="recovery")

    venue = RecordingPaperVenue(paper_bot, after_fill=released_meanwhile)
    with pytest.raises(OrderNotBooked) as info:
        order_open(bot_id=paper_bot.pk, side="long", size_usd="10", venue=venue)

    incident = Incident.objects.get(pk=info.value.incident_id)
    assert incident.kind == "drift"
    assert incident.client_order_id == info.value.client_order_id
    assert "already released" in incident.error
    assert incident.payload["report"]["executed_qty"] == "0.003"


def test_one_orders_database_failure_does_not_stop_the_recovery_run(
    paper_bot, settings, db_refuses
):
    settings.EGIS_RECOVERY_TIMEOUT_S = 0
    settings.EGIS_RECOVERY_ESCALATE_S = 0  # undecided orders escalate to an incident at once
    orders = []
    for _ in range(2):
        venue = RecordingPaperVenue(paper_bot, raise_after_fill=TimeoutError("read timed out"))
        with pytest.raises(OrderNotBooked) as info:
            order_open(bot_id=paper_bot.pk, side="long", size_usd="10", venue=venue)
        orders.append(Order.objects.get(client_order_id=info.value.client_order_id))
    first, second = orders
    # Booking the first order fails at the database; the second must still be settled.
    db_refuses("first_order_stuck", "BEFORE UPDATE ON orders", f"OLD.id = {first.pk}")
    db_refuses("first_incident_stuck", "BEFORE INSERT ON incidents")

    outcomes = {o.client_order_id: o.action for o in recover_in_flight()}

    assert outcomes[first.client_order_id] == "error"
    assert outcomes[second.client_order_id] == "settled"
    assert Order.objects.get(pk=second.pk).status == "filled"
    assert Order.objects.get(pk=first.pk).status == "unknown"  # untouched, retried next run
