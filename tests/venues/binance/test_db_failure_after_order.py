"""Journal incident: "Binance order placed but DB transaction failed". The order is booked at the
fake, then the ledger row the settle step needs disappears: the result is a pending
reconciliation and a controlled error naming the order, never a crash."""

import sqlite3
from decimal import Decimal

import pytest
from django.db import connection

from egis.ledger.errors import OrderNotBooked
from egis.ledger.models import Incident, Order
from egis.ledger.pipeline import order_open

pytestmark = pytest.mark.django_db(transaction=True)


def _delete_open_holds_of(bot_id: int):
    db_path = connection.settings_dict["NAME"]

    def after_booking(order: dict) -> None:
        # Another connection, as a concurrent process would be; foreign keys off so the row the
        # settle step locks is simply gone (the journal's "No query results for model").
        con = sqlite3.connect(db_path, timeout=10)
        try:
            con.execute("PRAGMA foreign_keys=OFF")
            con.execute("DELETE FROM positions WHERE bot_id = ? AND status = 'open'", (bot_id,))
            con.commit()
        finally:
            con.close()

    return after_booking


def test_order_placed_then_db_fails_ends_in_a_pending_reconciliation(binance_bot, fake_binance):
    fake_binance.after_booking = _delete_open_holds_of(binance_bot.pk)

    with pytest.raises(OrderNotBooked) as caught:
        order_open(bot_id=binance_bot.pk, side="long", size_usd="100")

    error = caught.value
    assert error.code == "not_booked"
    assert error.client_order_id in str(error)
    incident = Incident.objects.get(pk=error.incident_id)
    assert incident.kind == "db_failed_after_venue"
    assert incident.client_order_id == error.client_order_id
    assert incident.intent == "open"
    report = incident.payload["report"]
    assert report["executed_qty"] == "0.17"
    assert report["venue_order_id"] == incident.venue_order_id != ""
    # what Binance executed is kept, and Binance really holds it
    assert fake_binance.position_amt("BNBUSDT") == Decimal("0.17")
    assert Order.objects.get(client_order_id=error.client_order_id).status == "submitting"
    assert len(fake_binance.order_posts) == 1
